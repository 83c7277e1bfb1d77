package io.memsession.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StorageKeyPrefixTest {

    private static String prefix(String tokens, String host, String context, String version) {
        return StorageKeyPrefix.parse(tokens).resolve(new StorageKeyPrefix.WebappNames() {
            @Override
            public String hostName() {
                return host;
            }

            @Override
            public String contextName() {
                return context;
            }

            @Override
            public String webappVersion() {
                return version;
            }
        });
    }

    @Test
    void msmFormat() {
        assertEquals("x_", prefix("static:x", "hst", "ctxt", "001"));
        assertEquals("hst:ctxt_", prefix("host,context", "hst", "ctxt", "001"));
        assertEquals("001_", prefix("webappVersion", "hst", "ctxt", "001"));
        assertEquals("", prefix("webappVersion", "hst", "ctxt", ""));
        assertEquals("", prefix("", "hst", "ctxt", "001"));
    }

    @Test
    void hashTokensAreEightHexCharactersOfSha256() {
        // SHA-256("hst") starts with 0x5d 0x6d 0x1e 0x2c
        String hashed = prefix("host.hash,context.hash,webappVersion", "hst", "ctxt", "001");
        assertEquals(8 + 1 + 8 + 1 + 3 + 1, hashed.length(), hashed);
        assertEquals(hashed, prefix("host.hash,context.hash,webappVersion", "hst", "ctxt", "001"));
    }

    @Test
    void charactersMemcachedKeysCannotHoldArePercentEncoded() {
        assertEquals("my%20app:/a-b.c_", prefix("static:my app,context", "h", "/a-b.c", ""));
        assertEquals("100%25_", prefix("static:100%", "h", "", ""));
        assertEquals("%C3%A9_", prefix("static:\u00e9", "h", "", ""));
    }
}
