package dev.streamhook.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code .ci/browser} installs) driven through chromedriver, with a fresh profile and every
 * background connection off: the test network is closed, and without these flags Chromium waits on
 * outside hosts. Missing binaries fail the test with how to install them; it never skips.
 * Screenshots go to {@code target/dashboard-screenshots/}. One browser per test; not thread-safe.
 */
public final class Browser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    public final ChromeDriver driver;
    private final Path profile;

    public Browser(int width, int height) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the dashboard's browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + " and " + CHROMEDRIVER
                    + "); install them with .ci/browser (or apt-get install chromium chromium-driver)");
        }
        try {
            profile = Files.createTempDirectory("streamhook-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(width, height));
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Waits up to {@code seconds} for {@code condition} to be non-null and not false; {@code what} names it when it times out. */
    public <T> T await(String what, int seconds, Function<WebDriver, T> condition) {
        // a page that re-renders (the event page while a delivery is pending) replaces elements between two reads
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).withMessage(what).ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** The visible element {@code css} once it shows, within {@code seconds}. */
    public WebElement visible(String css, int seconds) {
        return await(css + " is shown", seconds, d -> d.findElements(By.cssSelector(css)).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    /** Clears a field and types {@code text} into it, as a user would. */
    public void type(String css, String text) {
        WebElement input = visible(css, 10);
        input.clear();
        input.sendKeys(text);
    }

    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves the viewport as {@code target/dashboard-screenshots/<name>.png}. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp profile left behind is harmless
        }
    }
}
