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
    void gadgetClassesAreRefusedWhateverTheListSays() {
        for (ClassAllowList list : new ClassAllowList[] {ClassAllowList.allowAll(),
                ClassAllowList.parse("org.apache.commons.*, com.sun.*, org.springframework.*"),
                ClassAllowList.parse(null, ClassAllowList.Mode.REPORT)}) {
            assertFalse(list.allows("org.apache.commons.collections.functors.InvokerTransformer"), list.toString());
            assertFalse(list.allows("org.apache.commons.collections4.functors.ChainedTransformer"));
            assertFalse(list.allows("[Lorg.apache.commons.collections.functors.ConstantTransformer;"));
            assertFalse(list.allows("com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl"));
            assertFalse(list.allows("org.springframework.core.SerializableTypeWrapper$MethodInvokeTypeProvider"));
            assertFalse(list.allows("javax.management.BadAttributeValueExpException"));
            assertTrue(list.refusal("sun.rmi.server.UnicastRef").contains("gadget"));
        }
        assertTrue(ClassAllowList.allowAll().allows("java.util.PriorityQueue"), "too common to refuse");
        assertTrue(ClassAllowList.allowAll().allows("org.apache.commons.collections.map.HashedMap"));
        assertTrue(ClassAllowList.allowAll().allows("clojure.lang.PersistentArrayMap"));
    }

    @Test
    void reportModeAcceptsEverythingButGadgets() {
        ClassAllowList reporting = ClassAllowList.parse("com.example.Cart", ClassAllowList.Mode.REPORT);
        assertTrue(reporting.allows("org.other.Thing"));
        assertTrue(reporting.allows("com.example.Cart"));
        assertFalse(reporting.allowsEverything());
    }

    @Test
    void refusesEntriesThatAreNotNames() {
        assertThrows(IllegalArgumentException.class, () -> ClassAllowList.parse("com..Cart"));
        assertThrows(IllegalArgumentException.class, () -> ClassAllowList.parse("com.*.Cart"));
    }
}
