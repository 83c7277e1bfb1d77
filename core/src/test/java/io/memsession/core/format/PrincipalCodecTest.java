package io.memsession.core.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Serializable;
import java.security.Principal;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PrincipalCodecTest {

    private static final int LENGTH = 4000;
    private static final int LIE = Integer.MAX_VALUE - 15;

    static final class User implements Principal, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "ada";
        }
    }

    private final PrincipalCodec codec = new PrincipalCodec(List.of(User.class.getName()),
            PrincipalCodecTest.class.getClassLoader());

    @Test
    void aHugeArrayLengthInTheLoginNotesIsRefusedBeforeItIsAllocated() throws IOException {
        byte[] bytes = codec.encode(new User(), Map.of("note", new byte[LENGTH]));
        assertEquals("ada", codec.decode(bytes).principal().getName());
        byte[] lying = bytes.clone();
        int replaced = 0;
        for (int i = 0; i + 4 <= lying.length; i++) {
            if (lying[i] == 0 && lying[i + 1] == 0 && lying[i + 2] == (byte) (LENGTH >> 8)
                    && lying[i + 3] == (byte) LENGTH) {
                lying[i] = (byte) (LIE >>> 24);
                lying[i + 1] = (byte) (LIE >>> 16);
                lying[i + 2] = (byte) (LIE >>> 8);
                lying[i + 3] = (byte) LIE;
                replaced++;
            }
        }
        assertEquals(1, replaced);

        IOException refused = assertThrows(IOException.class, () -> codec.decode(lying));

        assertTrue(String.valueOf(refused.getCause()).contains("array of length " + LIE + " refused"),
                String.valueOf(refused.getCause()));
        assertEquals(Collections.emptyMap(), codec.decode(codec.encode(new User(), Map.of())).notes());
    }
}
