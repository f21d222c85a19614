package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionSpecTest {

    @Test
    void readsEveryPartOfAPostgresUri() {
        ConnectionSpec spec = ConnectionSpec.parse("postgres://user:p%40ss%2Fw0rd@db.example.com:6543/myapp_production?sslmode=require");
        assertThat(spec.host()).isEqualTo("db.example.com");
        assertThat(spec.port()).isEqualTo(6543);
        assertThat(spec.database()).isEqualTo("myapp_production");
        assertThat(spec.user()).isEqualTo("user");
        assertThat(spec.password()).isEqualTo("p@ss/w0rd");
        assertThat(spec.params()).containsEntry("sslmode", "require");
        assertThat(spec.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/myapp_production");
        assertThat(spec.sqlProperties()).containsEntry("sslmode", "require").containsEntry("password", "p@ss/w0rd");
    }

    @Test
    void thePostgresqlSchemeAndTheDefaultPortWork() {
        ConnectionSpec spec = ConnectionSpec.parse("postgresql://me@localhost/db");
        assertThat(spec.port()).isEqualTo(5432);
        assertThat(spec.password()).isNull();
    }

    @Test
    void driverPropertiesThatLoadClassesOrReadFilesAreRefused() {
        assertThatThrownBy(() -> ConnectionSpec.parse("postgres://u@h/d?socketFactory=x.Evil")).hasMessageContaining("'socketFactory' is not supported");
        assertThatThrownBy(() -> ConnectionSpec.parse("postgres://u@h/d?sslkey=/etc/shadow")).hasMessageContaining("'sslkey' is not supported");
        assertThatThrownBy(() -> ConnectionSpec.parse("postgres://u@h/d?sslmode=sometimes")).hasMessageContaining("sslmode must be one of");
    }

    @Test
    void aPasswordParameterAndTheLibpqNamesAreUnderstood() {
        ConnectionSpec spec = ConnectionSpec.parse("postgres://u@h/d?password=s3cret&connect_timeout=5&application_name=app");
        assertThat(spec.password()).isEqualTo("s3cret");
        assertThat(spec.sqlProperties()).containsEntry("connectTimeout", "5").containsEntry("ApplicationName", "app")
                .containsEntry("password", "s3cret");
    }

    @Test
    void aPlusInThePasswordIsKept() {
        assertThat(ConnectionSpec.parse("postgres://u:a+b@h/d").password()).isEqualTo("a+b");
    }

    @Test
    void badUrisAreRefusedWithWhatToWrite() {
        assertThatThrownBy(() -> ConnectionSpec.parse("mysql://u@h/d")).hasMessageContaining("postgres://");
        assertThatThrownBy(() -> ConnectionSpec.parse("postgres://u@h")).hasMessageContaining("names no database");
        assertThatThrownBy(() -> ConnectionSpec.parse("postgres://h:5432/d")).hasMessageContaining("names no user");
        assertThatThrownBy(() -> ConnectionSpec.parse("postgres://u:p w@h/d")).hasMessageContaining("not a valid URI");
    }


    @Test
    void everySpellingOfAPasswordIsMaskedWhereverTheUriIsShown() {
        String[] spellings = {
            "postgres://u@h/d?password=s3cret", "postgres://u@h/d?PASSWORD=s3cret", "postgres://u@h/d?Password=s3cret",
            "postgres://u@h/d?pass%77ord=s3cret", "postgres://u@h/d?%70%61%73%73%77%6F%72%64=s3cret", "postgres://u@h/d?PASS%57ORD=s3cret",
            "postgres://u@h/d?sslmode=require&password=s3cret&application_name=x", "postgres://u@h/d?sslpassword=s3cret",
            "postgres://u@h/d?ssl%70assword=s3cret", "postgres://u:s3cret@h/d", "postgresql://u:s3cret@h:5432/d?password=s3cret",
            "postgres://u:s3c@ret@h/d", "postgres://u:s3cret@h/d?pass%zzword=s3cret", "postgres://u@h/d?x=1#s3cret",
        };
        for (String uri : spellings) {
            assertThat(ConnectionSpec.redact(uri)).as(uri).doesNotContain("s3cret").contains("****");
        }
        assertThat(ConnectionSpec.redact("postgres://u@h/d?pass%77ord=s3cret&sslmode=require"))
                .isEqualTo("postgres://u@h/d?pass%77ord=****&sslmode=require");
    }

    @Test
    void redactionHidesThePasswordOnly() {
        assertThat(ConnectionSpec.redact("postgres://user:s3cret@host:5432/db")).isEqualTo("postgres://user:****@host:5432/db");
        assertThat(ConnectionSpec.redact("postgresql://user@host/db")).isEqualTo("postgresql://user@host/db");
        assertThat(ConnectionSpec.redact("postgres://user@[::1]:5432/db?sslmode=verify-full&application_name=app"))
                .isEqualTo("postgres://user@[::1]:5432/db?sslmode=verify-full&application_name=app");
    }

    @Test
    void aConnectTimeoutIsCappedSoASilentHostCannotHoldAThreadForLong() {
        assertThat(ConnectionSpec.parse("postgres://u@h/d?connect_timeout=9999").sqlProperties())
                .containsEntry("connectTimeout", "10").containsEntry("loginTimeout", "10");
        assertThat(ConnectionSpec.parse("postgres://u@h/d?connect_timeout=0").sqlProperties()).as("0 is libpq's 'forever'")
                .containsEntry("connectTimeout", "10");
        assertThat(ConnectionSpec.parse("postgres://u@h/d?connect_timeout=3").replicationProperties()).containsEntry("connectTimeout", "3");
    }

    @Test
    void aUriWithoutAPasswordStillGivesTheDriverOneSoItNeverReadsPgpass() {
        assertThat(ConnectionSpec.parse("postgres://u@h/d").sqlProperties()).containsEntry("password", "");
        assertThat(ConnectionSpec.parse("postgres://u@h/d").replicationProperties()).containsEntry("password", "");
    }

    @Test
    void anythingShortOfVerifyFullIsReportedAsAWarning() {
        assertThat(ConnectionSpec.parse("postgres://u@db.example.com/d").warnings()).singleElement().asString()
                .contains("sslmode=prefer, the default", "verify-full");
        assertThat(ConnectionSpec.parse("postgres://u@db.example.com/d?sslmode=disable").warnings()).singleElement().asString().contains("unencrypted");
        assertThat(ConnectionSpec.parse("postgres://u@db.example.com/d?sslmode=require").warnings()).singleElement().asString()
                .contains("not authenticated");
        assertThat(ConnectionSpec.parse("postgres://u@db.example.com/d?sslmode=verify-ca").warnings()).singleElement().asString()
                .contains("name is not checked");
        assertThat(ConnectionSpec.parse("postgres://u@db.example.com/d?sslmode=verify-full").warnings()).isEmpty();
        assertThat(ConnectionSpec.parse("postgres://u@127.0.0.1/d").warnings()).as("loopback: nothing to protect").isEmpty();
    }
}
