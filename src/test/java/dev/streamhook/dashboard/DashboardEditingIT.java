package dev.streamhook.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Browser;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * What a user changes after the first minutes, in a real browser against a real node, database and
 * endpoints: a connection URI tested as it is typed (a wrong password says so with no button
 * pressed), a snapshot's rows per table, a source's password and tables edited (the new table's changes arrive),
 * a destination's URL and headers edited (the next event goes to the new URL with the header, and a
 * masked header left as it is keeps its value), a failed event skipped (the row's next change, held
 * behind it, goes out), and a destination deleted after its confirmation. Screenshots in
 * {@code target/dashboard-screenshots/}.
 */
class DashboardEditingIT {

    private static final String PASSWORD = "a long enough password";
    private static final String ROLE_PASSWORD = "the-right-password";
    private static final String TOKEN = "Bearer abcdefghijklmnopqrstuvwxyz0123";

    @TempDir
    Path dataDir;

    private Browser browser;
    private TestDb db;
    private ApiClient api;
    private String sourceId;

    @Test
    void aUserEditsWhatTheyCreatedAndSkipsAFailedEventWithoutTheApi() throws Exception {
        long started = System.currentTimeMillis();
        String role = "dash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (TestDb database = TestPostgres.embedded().createDatabase(); WebhookReceiver first = new WebhookReceiver();
             WebhookReceiver second = new WebhookReceiver(); Main.Node node = TestNodes.start(dataDir);
             Browser chromium = new Browser(1280, 900)) {
            db = database;
            browser = chromium;
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)", "INSERT INTO orders VALUES (1, 'a'), (2, 'b'), (3, 'c')",
                    "CREATE TABLE refunds (id int PRIMARY KEY, amount int)", "INSERT INTO refunds VALUES (1, 10)",
                    "CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD '" + ROLE_PASSWORD + "'");
            Path hba = Path.of(scalar("SHOW hba_file"));
            String original = Files.readString(hba);
            Files.writeString(hba, "host all " + role + " 127.0.0.1/32 scram-sha-256\n" + original);
            try {
                scalar("SELECT pg_reload_conf()::text");
                await().atMost(Duration.ofSeconds(10)).until(() -> passwordIsChecked(role));
                signUp(node);
                aWrongPasswordIsShownAsItIsTypedWithoutPressingAButton(role);
                aSnapshotShowsItsRowsPerTable(first);
                editingASourcesPasswordAndTablesCapturesTheNewTable(first);
                editingADestinationSendsTheNextEventToItsNewUrlWithItsHeaders(first, second);
                aMaskedHeaderLeftAsItIsKeepsItsValueAndSkippingAFailedEventLetsItsRowGoOn(second);
                deletingADestinationAfterItsConfirmationStopsItsEvents(second);
            } catch (RuntimeException | AssertionError e) {
                browser.screenshot("editing-failure"); // what the user saw when it went wrong
                System.out.println("DashboardEditingIT: the page said: " + browser.find("main").getText() + "\nscript errors: "
                        + browser.driver.executeScript("return window.scriptErrors"));
                throw e;
            } finally {
                Files.writeString(hba, original);
                scalar("SELECT pg_reload_conf()::text");
            }
        } finally {
            try (Connection c = superuser(); Statement s = c.createStatement()) {
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        }
        System.out.println("DashboardEditingIT: the walk took " + (System.currentTimeMillis() - started) + " ms");
    }

    private void signUp(Main.Node node) {
        browser.open("http://127.0.0.1:" + node.port() + "/");
        browser.driver.executeScript("window.scriptErrors = []; window.addEventListener('error', (e) => scriptErrors.push(e.message)); "
                + "window.addEventListener('unhandledrejection', (e) => scriptErrors.push(String(e.reason && e.reason.stack || e.reason)));");
        browser.type("input[name=email]", "editor@example.com");
        browser.type("input[name=password]", PASSWORD);
        browser.find("input[name=password]").sendKeys(Keys.ENTER);
        api = new ApiClient(node.port()).withKey(browser.visible("#api-key", 20).getText());
        browser.find("a[href='#/sources/new']").click();
    }

    private void aWrongPasswordIsShownAsItIsTypedWithoutPressingAButton(String role) {
        browser.type("input[name=name]", "Shop database");
        browser.type("input[name=connection_uri]", db.uri(role, "not-" + ROLE_PASSWORD));
        String error = browser.await("the URI's error shows once typing stops", 30, d -> d.findElements(By.cssSelector(".field-error:not([hidden])"))
                .stream().map(WebElement::getText).filter(t -> !t.isBlank()).findFirst().orElse(null));
        assertThat(error).as("the API's message and its fix").contains("password authentication failed").contains("Check the user and password");
        assertThat(browser.find("input[name=connection_uri]").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.driver.switchTo().activeElement().getAttribute("name")).as("the keyboard stays in the field").isEqualTo("connection_uri");
        browser.screenshot("21-uri-tested-as-typed");

        browser.type("input[name=connection_uri]", db.uri()); // the database's owner, who may publish its tables
        browser.await("the right URI connects", 30, d -> d.findElement(By.cssSelector(".check-status")).getText().startsWith("Connected: 2 tables"));
        assertThat(browser.find(".field-error").isDisplayed()).as("the old error is gone").isFalse();
        browser.visible("input[value='public.orders']", 10).click();
        browser.find("#snapshot").click();
        browser.driver.findElement(By.xpath("//button[text()='Create source']")).click();
        browser.await("the source's page opens", 30, d -> d.findElement(By.cssSelector("h1")).getText().equals("Shop database"));
        sourceId = browser.driver.getCurrentUrl().replaceAll(".*#/sources/", "");
    }

    private void aSnapshotShowsItsRowsPerTable(WebhookReceiver first) {
        assertThat(browser.visible(".snapshot", 20).getText()).as("the snapshot waits for a destination")
                .contains("public.orders").contains("waiting for a destination");
        addDestination(first.url());
        await("the rows already there arrive").atMost(Duration.ofSeconds(30)).until(() -> first.requests().size() == 3);
        await("the snapshot is done").atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/v1/sources/" + sourceId + "/backfills").body().at("/data/0/status").asText().equals("done"));
        browser.driver.navigate().refresh();
        WebElement snapshot = browser.visible(".snapshot", 20);
        assertThat(snapshot.getText()).contains("Snapshot finished").contains("public.orders").contains("3 rows sent, finished");
        browser.screenshot("22-snapshot-finished");
    }

    private void editingASourcesPasswordAndTablesCapturesTheNewTable(WebhookReceiver first) {
        click("Edit source");
        assertThat(browser.visible("#edit-source input[value='public.orders']", 30).isSelected()).as("the captured table is ticked").isTrue();
        // the embedded server trusts local connections: any password is accepted, as a rotated one would be
        browser.type("#edit-source input[name=connection_uri]", db.uri("postgres", "Rotated-Passw0rd-9"));
        browser.await("the new URI is tested as it is typed", 30,
                d -> d.findElement(By.cssSelector("#edit-source .check-status")).getText().startsWith("Connected: 2 tables"));
        assertThat(browser.find("#edit-source input[value='public.orders']").isSelected()).as("still ticked after the list is redrawn").isTrue();
        WebElement refunds = browser.find("#edit-source input[value='public.refunds']");
        assertThat(refunds.isSelected()).isFalse();
        refunds.click();
        screenshot("23-source-edit");
        click("Save changes");
        browser.await("the page lists both tables", 30, d -> d.findElement(By.id("source-tables")).getText().equals("public.orders, public.refunds"));
        assertThat(browser.find(".facts").getText()).as("the new password, masked").contains("postgres:****@").doesNotContain("Rotated-Passw0rd-9");

        db.execute("UPDATE refunds SET amount = 12 WHERE id = 1");
        await("the new table's change arrives").atMost(Duration.ofSeconds(30))
                .until(() -> first.requests().stream().anyMatch(r -> r.bodyText().contains("refunds") && r.bodyText().contains("\"amount\":12")));
    }

    private void editingADestinationSendsTheNextEventToItsNewUrlWithItsHeaders(WebhookReceiver first, WebhookReceiver second) {
        click("Edit");
        browser.type("div[id^=edit-dst] input[name=url]", second.url());
        click("Add header");
        browser.type("div[id^=edit-dst] input[name=header_name]", "Authorization");
        browser.type("div[id^=edit-dst] input[name=header_value]", TOKEN);
        browser.find("details.tuning summary").click();
        browser.type("input[name=timeout_ms]", "50");
        scrollTo("div[id^=edit-dst]");
        screenshot("24-destination-edit");
        click("Save changes");
        WebElement error = browser.visible("input[name=timeout_ms] ~ .field-error", 20);
        assertThat(error.getText()).as("the API's error, beside the field").startsWith("'timeout_ms' must be a whole number from 100 to");
        assertThat(api.get("/v1/sources/" + sourceId + "/destinations").body().at("/data/0/url").asText()).as("nothing saved").isEqualTo(first.url());

        browser.type("input[name=timeout_ms]", "5000");
        click("Save changes");
        browser.await("the new URL is listed", 20, d -> d.findElement(By.cssSelector("td.mono")).getText().startsWith(second.url()));
        int before = first.requests().size();
        db.execute("INSERT INTO refunds VALUES (2, 20)");
        await("the next event arrives at the new URL").atMost(Duration.ofSeconds(30)).until(() -> !second.requests().isEmpty());
        assertThat(second.requests().get(0).bodyText()).contains("\"amount\":20");
        assertThat(second.requests().get(0).header("Authorization")).isEqualTo(TOKEN);
        assertThat(first.requests()).as("nothing more at the old URL").hasSize(before);
    }

    private void aMaskedHeaderLeftAsItIsKeepsItsValueAndSkippingAFailedEventLetsItsRowGoOn(WebhookReceiver second) {
        browser.resize(390, 844); // on a phone
        click("Edit");
        assertThat(browser.visible("div[id^=edit-dst] input[name=header_value]", 20).getAttribute("value")).isEqualTo("Bearer ****0123");
        browser.find("details.tuning summary").click();
        browser.type("input[name=max_attempts]", "1");
        scrollTo("div[id^=edit-dst]");
        screenshot("24-destination-edit-phone");
        click("Save changes");
        browser.resize(1280, 900);
        await("saved").atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/sources/" + sourceId + "/destinations").body()
                .at("/data/0/retry/max_attempts").asInt() == 1);

        second.failEverything(true);
        db.execute("INSERT INTO refunds VALUES (3, 30)");
        await("the event fails").atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/events?status=failed").body().at("/data").size() == 1);
        assertThat(second.requests().getLast().header("Authorization")).as("the masked header kept its value").isEqualTo(TOKEN);
        String failed = api.get("/v1/events?status=failed").body().at("/data/0/id").asText();
        db.execute("UPDATE refunds SET amount = 31 WHERE id = 3"); // held behind the failed one: same row
        second.failEverything(false);

        browser.open(browser.driver.getCurrentUrl().replaceAll("#.*", "") + "#/events/" + failed);
        WebElement skip = browser.visible("button[id^=skip-]", 30);
        assertThat(browser.find(".delivery").getText()).contains("FAILED").contains("Retry");
        scrollTo(".delivery");
        screenshot("25-event-skip");
        int sent = second.requests().size();
        assertThat(second.requests()).as("the row's next change waits").noneMatch(r -> r.bodyText().contains("\"amount\":31"));
        skip.click();
        browser.await("the delivery shows skipped", 30, d -> d.findElement(By.cssSelector(".delivery")).getAttribute("class").contains("skipped"));
        await("the row's next change goes out").atMost(Duration.ofSeconds(30))
                .until(() -> second.requests().stream().anyMatch(r -> r.bodyText().contains("\"amount\":31")));
        assertThat(second.requests().subList(sent, second.requests().size())).as("the skipped event is not sent")
                .noneMatch(r -> r.bodyText().contains("\"amount\":30"));
    }

    private void deletingADestinationAfterItsConfirmationStopsItsEvents(WebhookReceiver second) {
        browser.find(".facts a[href^='#/sources/']").click();
        browser.await("the source's page opens", 20, d -> d.findElement(By.cssSelector("h1")).getText().equals("Shop database"));
        click("Delete");
        WebElement confirm = browser.visible(".row-actions .confirm", 10);
        assertThat(confirm.getText()).contains(second.url()).contains("delivery history").contains("cannot be undone");
        screenshot("26-destination-delete-confirm");
        click("Delete destination");
        browser.await("the page says there is none", 20, d -> d.findElement(By.cssSelector("main")).getText().contains("No destination yet"));
        assertThat(api.get("/v1/sources/" + sourceId + "/destinations").body().at("/data").isEmpty()).isTrue();
        int sent = second.requests().size();
        db.execute("INSERT INTO refunds VALUES (4, 40)");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> second.requests().size() == sent);
    }

    private void addDestination(String url) {
        browser.type("input[name=url]", url);
        click("Add destination");
        browser.await("the destination is listed", 20, d -> d.findElement(By.cssSelector("main")).getText().contains(url));
    }

    /** A screenshot once the last toast is gone, so that it shows the page. */
    private void screenshot(String name) {
        browser.await("the toast fades", 10, d -> "0".equals(browser.driver.executeScript("return getComputedStyle(document.getElementById('toast')).opacity")));
        browser.screenshot(name);
    }

    private void scrollTo(String css) {
        browser.driver.executeScript("arguments[0].scrollIntoView()", browser.find(css));
    }

    private void click(String buttonText) {
        browser.await("the button " + buttonText, 20, d -> d.findElements(By.xpath("//button[text()='" + buttonText + "']")).stream()
                .filter(WebElement::isDisplayed).findFirst().orElse(null)).click();
    }

    private boolean passwordIsChecked(String role) {
        try (Connection ignored = DriverManager.getConnection(db.server().jdbcUrl(db.name()), role, "not-the-password")) {
            return false;
        } catch (SQLException e) {
            return "28P01".equals(e.getSQLState());
        }
    }

    private String scalar(String sql) throws SQLException {
        try (Connection c = superuser(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Connection superuser() throws SQLException {
        return DriverManager.getConnection(TestPostgres.embedded().jdbcUrl("postgres"), TestPostgres.embedded().superuser(), "");
    }
}
