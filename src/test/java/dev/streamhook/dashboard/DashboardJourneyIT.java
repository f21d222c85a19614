package dev.streamhook.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Browser;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * A new user's first minutes, in a real browser against a real node, database and endpoint: sign
 * up, see the API key once, add a source (a wrong URI first, whose error the form shows), add a
 * destination, watch an inserted row arrive live in the Events tail and at the endpoint; then an
 * endpoint that fails, the failure on the event's page, and Retry once it is fixed. Measures the
 * time from opening the sign-up page to the first event at the endpoint
 * ({@code target/dashboard-journey.txt}) and saves screenshots ({@code target/dashboard-screenshots/}).
 */
class DashboardJourneyIT {

    private static final String PASSWORD = "a long enough password";

    @TempDir
    Path dataDir;

    @Test
    void aNewUserGoesFromSignUpToALiveEventAndRetriesAFailedDeliveryWithoutReadingDocs() throws Exception {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver receiver = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "2"));
             Browser browser = new Browser(1280, 900)) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text, total numeric(10,2))");
            try {
                walk(browser, db, receiver, node);
            } catch (RuntimeException | AssertionError e) {
                browser.screenshot("failure"); // what the user saw when it went wrong
                throw e;
            }
        }
    }

    private void walk(Browser browser, TestDb db, WebhookReceiver receiver, Main.Node node) throws Exception {
        {
            String base = "http://127.0.0.1:" + node.port() + "/";

            long opened = System.currentTimeMillis();
            browser.open(base);
            browser.visible("input[name=email]", 20);
            assertThat(browser.find("h1").getText()).isEqualTo("Create your account");
            browser.screenshot("01-sign-up");
            browser.type("input[name=email]", "first@example.com");
            browser.type("input[name=password]", PASSWORD);
            browser.find("input[name=password]").sendKeys(Keys.ENTER); // the keyboard alone signs up

            String key = browser.visible("#api-key", 20).getText();
            assertThat(key).startsWith("sk_live_");
            assertThat(new ApiClient(node.port()).withKey(key).get("/v1/sources").status()).as("the key shown works").isEqualTo(200);
            browser.screenshot("02-api-key-shown-once");
            browser.find("a[href='#/sources/new']").click();

            browser.type("input[name=name]", "Shop database");
            browser.type("input[name=connection_uri]", "postgres://nobody@127.0.0.1:" + db.server().port() + "/no_such_database");
            browser.driver.findElement(By.xpath("//button[text()='Find tables']")).click();
            String error = browser.await("the wrong URI's error is shown", 30, d -> d.findElements(By.cssSelector(".field-error:not([hidden]), .alert.error:not([hidden])"))
                    .stream().map(WebElement::getText).filter(t -> !t.isBlank()).findFirst().orElse(null));
            assertThat(error).as("the API's own message, not a generic one").contains("role \"nobody\" does not exist");
            browser.screenshot("03-source-wrong-uri");

            browser.type("input[name=connection_uri]", db.uri());
            browser.driver.findElement(By.xpath("//button[text()='Find tables']")).click();
            browser.visible("input[value='public.orders']", 30).click();
            assertThat(browser.find("fieldset.tables").getText()).contains("replica identity default");
            browser.screenshot("04-source-tables");
            browser.driver.findElement(By.xpath("//button[text()='Create source']")).click();

            browser.await("the source's page opens", 30, d -> d.findElement(By.cssSelector("h1")).getText().equals("Shop database"));
            browser.type("input[name=url]", receiver.url());
            browser.driver.findElement(By.xpath("//button[text()='Add destination']")).click();
            browser.await("the destination is listed", 20, d -> d.findElement(By.cssSelector("main")).getText().contains(receiver.url()));
            browser.screenshot("05-source-with-destination");

            browser.find("nav a[href='#/events']").click();
            browser.await("the tail is live", 20, d -> d.findElement(By.id("live-state")).getText().equals("Live"));
            db.execute("INSERT INTO orders VALUES (1, 'paid', 99.00)");
            WebElement row = browser.visible("#tail tr", 30);
            assertThat(row.getText()).contains("INSERT").contains("public.orders");
            await("the first event reaches the endpoint").atMost(Duration.ofSeconds(30)).until(() -> !receiver.requests().isEmpty());
            long firstEventMillis = receiver.requests().get(0).receivedAt() - opened;
            assertThat(receiver.requests().get(0).bodyText()).contains("\"status\":\"paid\"");
            browser.screenshot("06-events-live");
            report(firstEventMillis);

            receiver.failEverything(true);
            db.execute("INSERT INTO orders VALUES (2, 'refunded', 12.50)");
            WebElement second = browser.await("the second event shows in the tail", 30,
                    d -> d.findElements(By.cssSelector("#tail tr")).size() == 2 ? d.findElement(By.cssSelector("#tail tr:first-child")) : null);
            String failingId = second.getAttribute("data-event-id");
            second.findElement(By.cssSelector("a")).click();
            WebElement retry = browser.visible("button[id^=retry-]", 60);
            assertThat(browser.find(".delivery").getText()).contains("FAILED").contains("the endpoint answered 500").contains("nope");
            String sentBody = receiver.requests().stream().filter(r -> failingId.equals(r.header("X-StreamHook-Event-ID"))).findFirst()
                    .orElseThrow().bodyText();
            assertThat(browser.find("#event-body-exact").getAttribute("textContent")).as("the page shows the exact bytes sent").isEqualTo(sentBody);
            assertThat(browser.find(".delivery details pre").getAttribute("textContent")).as("the headers sent")
                    .contains("X-StreamHook-Event-ID: " + failingId).contains("Content-Type: application/json");
            browser.screenshot("07-event-failed");

            receiver.failEverything(false);
            retry.click();
            browser.await("the retried delivery succeeds", 30, d -> d.findElement(By.cssSelector(".delivery")).getAttribute("class").contains("succeeded"));
            assertThat(receiver.requests()).filteredOn(r -> failingId.equals(r.header("X-StreamHook-Event-ID"))).hasSize(3);
            browser.screenshot("08-event-retried");

            browser.find("nav a[href='#/sources']").click();
            browser.await("the sources list shows", 20, d -> d.findElement(By.cssSelector("h1")).getText().equals("Sources"));
            browser.driver.findElement(By.cssSelector("main a[href^='#/sources/src_']")).click();
            browser.await("the source's page opens", 20, d -> d.findElement(By.cssSelector("h1")).getText().equals("Shop database"));
            WebElement events = browser.visible("figure.chart-card", 30);
            assertThat(events.getAttribute("aria-label")).as("the events chart says what it shows").startsWith("Events per minute: 2 in all");
            assertThat(browser.find("main").getText()).as("the destination's last hour").contains("% succeeded").contains("attempts");
            browser.driver.findElement(By.xpath("//button[text()='Send test event']")).click();
            String tested = browser.await("the test event's result is shown", 30,
                    d -> d.findElement(By.cssSelector(".test-result")).getText().isBlank() ? null : d.findElement(By.cssSelector(".test-result")).getText());
            assertThat(tested).startsWith("Delivered: 200");
            assertThat(receiver.requests().getLast().bodyText()).contains("\"operation\":\"TEST\"");
            browser.screenshot("09-source-destination-health");

            // pause and resume by hand; rotate the secret (shown once)
            browser.driver.findElement(By.xpath("//button[text()='Pause']")).click();
            browser.await("the destination shows paused", 20, d -> d.findElement(By.cssSelector("td .badge")).getText().equalsIgnoreCase("paused"));
            browser.driver.findElement(By.xpath("//button[text()='Resume']")).click();
            browser.await("the destination shows active", 20, d -> d.findElement(By.cssSelector("td .badge")).getText().equalsIgnoreCase("active"));
            browser.driver.findElement(By.xpath("//button[text()='Rotate secret']")).click();
            assertThat(browser.visible("code[id^=secret-]", 20).getText()).startsWith("whsec_");

            // an endpoint that answers 410 Gone is disabled; the page says why and enables it again
            receiver.respondWith(410);
            db.execute("INSERT INTO orders VALUES (3, 'gone', 1.00)");
            String sourceId = browser.driver.getCurrentUrl().replaceAll(".*#/sources/", "");
            ApiClient api = new ApiClient(node.port()).withKey(key);
            await("the destination is disabled").atMost(Duration.ofSeconds(30))
                    .until(() -> api.get("/v1/sources/" + sourceId + "/destinations").body().at("/data/0/status").asText().equals("disabled"));
            browser.driver.navigate().refresh();
            WebElement reason = browser.visible(".disabled-reason", 20);
            assertThat(reason.getText()).contains("410");
            browser.screenshot("09-destination-disabled");
            browser.driver.findElement(By.xpath("//button[text()='Enable']")).click();
            browser.await("the destination is active again", 20, d -> d.findElement(By.cssSelector("td .badge")).getText().equalsIgnoreCase("active"));
            await("the event that waited arrives").atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.requests().stream().filter(r -> r.bodyText().contains("\"status\":\"gone\"")).count() == 2); // 410, then 200
            ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeScript("arguments[0].scrollIntoView()", browser.find(".charts"));
            browser.screenshot("09-source-activity");

            browser.find("nav a[href='#/usage']").click();
            browser.await("usage is shown", 20, d -> d.findElement(By.cssSelector("main")).getText().contains("of 50,000 events this month"));
            browser.screenshot("10-usage");

            browser.resize(390, 844);
            browser.find("nav a[href='#/events']").click();
            browser.visible("#tail tr", 20);
            browser.screenshot("11-events-phone");

            browser.find("nav a[href='#/sources']").click();
            browser.await("the sources list shows", 20, d -> d.findElement(By.cssSelector("h1")).getText().equals("Sources"));
            browser.driver.findElement(By.cssSelector("main a[href^='#/sources/src_']")).click();
            browser.await("the delete button shows", 20, d -> d.findElements(By.xpath("//button[text()='Delete source']")).size() == 1);
            browser.driver.findElement(By.xpath("//button[text()='Delete source']")).click();
            assertThat(browser.visible(".confirm", 10).getText()).contains("cannot be undone");
            browser.driver.findElement(By.xpath("//button[text()='Delete for good']")).click();
            await("the source is deleted").atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources").body().get("data").isEmpty());
        }
    }

    private static void report(long millis) throws java.io.IOException {
        String line = "sign-up page opened to first event at the endpoint: " + millis + " ms (" + StoreBackend.current().name().toLowerCase()
                + " store, " + java.time.Instant.now() + ")\n";
        System.out.print("DashboardJourneyIT: " + line);
        Files.writeString(Path.of("target", "dashboard-journey.txt"), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
