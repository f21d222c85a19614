package dev.streamhook.capture.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.json.JsJson;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PgTypes on text that a real PostgreSQL prints, with the session settings capture uses. */
class PgTypesIT {

    private static EmbeddedPostgres postgres;
    private static Connection connection;

    /** A SQL expression and the JSON we must send for it. */
    private record Sample(String sql, String json) {
    }

    private static final List<Sample> SAMPLES = List.of(
            new Sample("32767::int2", "32767"),
            new Sample("'-2147483648'::int4", "-2147483648"),
            new Sample("'4294967295'::oid", "4294967295"),
            new Sample("9007199254740991::int8", "9007199254740991"),
            new Sample("9007199254740992::int8", "\"9007199254740992\""),
            new Sample("0.1::float4", "0.1"),
            new Sample("3.4028235e38::float4", "3.4028235e+38"),
            new Sample("0.1::float8 + 0.2::float8", "0.30000000000000004"),
            new Sample("1e-7::float8", "1e-7"),
            new Sample("'-0'::float8", "0"),
            new Sample("'NaN'::float8", "\"NaN\""),
            new Sample("'-Infinity'::float4", "\"-Infinity\""),
            new Sample("99.00::numeric", "99"),
            new Sample("0.1::numeric", "0.1"),
            new Sample("1e21::numeric", "1e+21"),
            new Sample("12345678901234567890::numeric", "\"12345678901234567890\""),
            new Sample("1.000000000000000000001::numeric", "\"1.000000000000000000001\""),
            new Sample("'NaN'::numeric", "\"NaN\""),
            new Sample("'Infinity'::numeric", "\"Infinity\""),
            new Sample("true", "true"),
            new Sample("false", "false"),
            new Sample("'{\"b\": 1.50, \"a\": [1], \"b\": 2, \"1\": null}'::json", "{\"1\":null,\"b\":2,\"a\":[1]}"),
            new Sample("'{\"b\": 1.50, \"a\": [1], \"10\": \"x\"}'::jsonb", "{\"10\":\"x\",\"a\":[1],\"b\":1.5}"),
            new Sample("'\\x00ff10'::bytea", "\"AP8Q\""),
            new Sample("'hello'::bytea", "\"aGVsbG8=\""),
            new Sample("'2026-03-13'::date", "\"2026-03-13\""),
            new Sample("'infinity'::date", "\"infinity\""),
            new Sample("'0044-03-15 BC'::date", "\"0044-03-15 BC\""),
            new Sample("'2026-03-13 10:30:00.123456+05:30'::timestamptz", "\"2026-03-13T05:00:00.123456Z\""),
            new Sample("'2026-03-13 10:30:00.12+00'::timestamptz", "\"2026-03-13T10:30:00.120Z\""),
            new Sample("'2026-03-13 10:30:00-03'::timestamptz", "\"2026-03-13T13:30:00.000Z\""),
            new Sample("'-infinity'::timestamptz", "\"-infinity\""),
            new Sample("'0044-03-15 12:00:00+00 BC'::timestamptz", "\"0044-03-15 12:00:00+00 BC\""),
            new Sample("'12026-03-13 10:30:00+00'::timestamptz", "\"12026-03-13 10:30:00+00\""),
            new Sample("'2026-03-13 10:30:00.000001'::timestamp", "\"2026-03-13T10:30:00.000001\""),
            new Sample("'2026-03-13 10:30:00'::timestamp", "\"2026-03-13T10:30:00.000\""),
            new Sample("'infinity'::timestamp", "\"infinity\""),
            new Sample("'10:30:00.5'::time", "\"10:30:00.5\""),
            new Sample("'10:30:00+05:30'::timetz", "\"10:30:00+05:30\""),
            new Sample("'1 year 2 months 3 days 04:05:06'::interval", "\"1 year 2 mons 3 days 04:05:06\""),
            new Sample("1234.5::money", "\"$1,234.50\""),
            new Sample("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""),
            new Sample("E'tab\\there \"q\"'::text", "\"tab\\there \\\"q\\\"\""),
            new Sample("'abc'::varchar", "\"abc\""),
            new Sample("'ab'::char(4)", "\"ab  \""),
            new Sample("'x'::\"char\"", "\"x\""),
            new Sample("'pg'::name", "\"pg\""),
            new Sample("'<a>1</a>'::xml", "\"<a>1</a>\""),
            new Sample("'192.168.0.1/24'::inet", "\"192.168.0.1/24\""),
            new Sample("'happy'::mood", "\"happy\""),
            new Sample("ARRAY[1,2,NULL]::int2[]", "[1,2,null]"),
            new Sample("'{}'::int4[]", "[]"),
            new Sample("ARRAY[[1,2],[3,4]]::int4[]", "[[1,2],[3,4]]"),
            new Sample("'[0:1]={1,2}'::int4[]", "[1,2]"),
            new Sample("ARRAY[1,9223372036854775807]::int8[]", "[1,\"9223372036854775807\"]"),
            new Sample("ARRAY['a', 'b c', 'say \"hi\"', 'back\\slash', NULL, 'NULL', '', '{x}']::text[]",
                    "[\"a\",\"b c\",\"say \\\"hi\\\"\",\"back\\\\slash\",null,\"NULL\",\"\",\"{x}\"]"),
            new Sample("ARRAY['a,b']::varchar[]", "[\"a,b\"]"),
            new Sample("ARRAY['ab']::char(3)[]", "[\"ab \"]"),
            new Sample("ARRAY[true,false]", "[true,false]"),
            new Sample("ARRAY[0.1,'NaN']::float4[]", "[0.1,\"NaN\"]"),
            new Sample("ARRAY[1.5,'-Infinity']::float8[]", "[1.5,\"-Infinity\"]"),
            new Sample("ARRAY[99.00,12345678901234567890]::numeric[]", "[99,\"12345678901234567890\"]"),
            new Sample("ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']::uuid[]", "[\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"]"),
            new Sample("ARRAY['{\"a\": 1}', '[1, \"x\"]']::json[]", "[{\"a\":1},[1,\"x\"]]"),
            new Sample("ARRAY['{\"a\": 1}', 'null']::jsonb[]", "[{\"a\":1},null]"),
            new Sample("ARRAY['2026-03-13', 'infinity']::date[]", "[\"2026-03-13\",\"infinity\"]"),
            new Sample("ARRAY['2026-03-13 10:30:00.5']::timestamp[]", "[\"2026-03-13T10:30:00.500\"]"),
            new Sample("ARRAY['2026-03-13 10:30:00+01', NULL]::timestamptz[]", "[\"2026-03-13T09:30:00.000Z\",null]"),
            new Sample("ARRAY['\\x0102'::bytea]", "[\"AQI=\"]"),
            new Sample("ARRAY[26]::oid[]", "[26]"),
            new Sample("ARRAY['pg']::name[]", "[\"pg\"]"),
            new Sample("ARRAY['x']::\"char\"[]", "[\"x\"]"),
            new Sample("ARRAY['happy']::mood[]", "\"{happy}\""));

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        connection = postgres.getPostgresDatabase().getConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            statement.execute("SET DateStyle = 'ISO, MDY'");
            statement.execute("SET extra_float_digits = 3");
            statement.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')");
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void realPostgresOutputOfEveryMappedTypeBecomesTheDocumentedJson() throws Exception {
        try (Statement statement = connection.createStatement()) {
            for (Sample sample : SAMPLES) {
                try (ResultSet row = statement.executeQuery(
                        // format('%s') calls the type's output function, as pgoutput does; ::text would trim char(n).
                        "SELECT format('%s', v), pg_typeof(v)::oid FROM (SELECT " + sample.sql() + " AS v) AS sample")) {
                    row.next();
                    String text = row.getString(1);
                    int oid = (int) row.getLong(2);
                    assertThat(JsJson.stringify(PgTypes.toJson(oid, text)))
                            .as("%s printed as %s (oid %d)", sample.sql(), text, oid)
                            .isEqualTo(sample.json());
                }
            }
        }
    }
}
