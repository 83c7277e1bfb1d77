package io.memsession.serializer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassAllowListTest {

    @Test
    void emptyAllowsEverything() {
        assertTrue(ClassAllowList.parse(null).allows("org.evil.Gadget"));
        assertTrue(ClassAllowList.parse("  ").allowsEverything());
    }

    @Test
    void namesPackagesAndTheJdkValueClasses() {
        ClassAllowList list = ClassAllowList.parse("com.example.Cart, org.shop.*");
        assertTrue(list.allows("com.example.Cart"));
        assertFalse(list.allows("com.example.CartItem"));
        assertTrue(list.allows("org.shop.model.Item"));
        assertTrue(list.allows("java.lang.Integer"));
        assertTrue(list.allows("java.util.HashMap"));
        assertTrue(list.allows("[Lorg.shop.Item;"));
        assertTrue(list.allows("[I"));
        assertFalse(list.allows("org.apache.commons.collections.functors.InvokerTransformer"));
        assertFalse(list.allows("[Lorg.evil.Gadget;"));
        assertFalse(list.allows("org.shopping.Item"));
    }

    @Test
    void refusesEntriesThatAreNotNames() {
        assertThrows(IllegalArgumentException.class, () -> ClassAllowList.parse("com..Cart"));
        assertThrows(IllegalArgumentException.class, () -> ClassAllowList.parse("com.*.Cart"));
    }
}
