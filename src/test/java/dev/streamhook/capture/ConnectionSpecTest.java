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
    void redactionHidesThePasswordOnly() {
        assertThat(ConnectionSpec.redact("postgres://user:s3cret@host:5432/db")).isEqualTo("postgres://user:****@host:5432/db");
        assertThat(ConnectionSpec.redact("postgresql://user@host/db")).isEqualTo("postgresql://user@host/db");
    }
}
