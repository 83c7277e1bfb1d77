package io.memsession.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

class SealingKeysTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private static String refused(String... lines) {
        return assertThrows(IllegalArgumentException.class, () -> SealingKeys.parse(Arrays.asList(lines)))
                .getMessage();
    }

    @Test
    void firstKeySealsEveryKeyOpens() {
        SealingKeys keys = SealingKeys.parse(List.of("# rotated on Monday", "", "  k2 " + KEY, "k1\t" + KEY));
        assertEquals("k2", keys.sealingKeyId());
        assertNotNull(keys.key("k1"));
        assertNull(keys.key("k3"));
        assertEquals("keys k2, k1 (k2 seals)", keys.toString());
    }

    @Test
    void wrongLinesAreNamedByNumberWithoutTheirKey() {
        String secretLooking = "c2VjcmV0LWtleS1ieXRlcy0tLS0tLS0tLS0tLS0tLS0-"; // '-' is not base64
        String message = refused("# keys", "k1 " + secretLooking);
        assertTrue(message.startsWith("line 2: the key of 'k1' is not valid base64"), message);
        assertFalse(message.contains("c2Vj") || message.contains("2d"), message);
        assertTrue(refused("k1 " + Base64.getEncoder().encodeToString(new byte[16]))
                .contains("line 1: the key of 'k1' has 16 bytes; expected 32"));
        assertTrue(refused("k1 " + KEY, "#", "k1 " + KEY).contains("line 3: the key id 'k1' is already on line 1"));
        assertTrue(refused("k1").contains("line 1 has 1 fields"));
        assertTrue(refused("k1 " + KEY + " extra").contains("line 1 has 3 fields"));
        assertTrue(refused("k/1 " + KEY).contains("line 1: the key id"));
        assertTrue(refused("# nothing", "").contains("no key"));
        for (String message2 : List.of(refused("k1 " + KEY + " extra"), refused("k/1 " + KEY))) {
            assertFalse(message2.contains(KEY), message2);
        }
    }

    @Test
    void missingFileIsNamed() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> SealingKeys.read(Path.of("/nonexistent/memsession.keys"))).getMessage();
        assertTrue(message.contains("cannot be read") && message.contains("/nonexistent/memsession.keys"), message);
    }
}
