package io.memsession.serializer;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The classes public gadget chains are built from: refused when a stored session is read, by both serializers,
 * whatever {@code classAllowList} says (also when it is empty, and in report mode). A planted attribute of one of
 * these classes runs code while it is read; no web application needs to keep them in a session.
 *
 * <p>The families come from the public lists of known chains: the payloads of ysoserial, Jackson's
 * {@code SubTypeValidator} and the JDK's serialization filtering guidance (JEP 290). An entry ending in {@code .}
 * or {@code $} takes every class whose name starts with it; any other entry is one class. Left out on purpose:
 * classes that real sessions hold and that are only the trigger or carrier of a chain whose harmful end is listed
 * here ({@code java.util.PriorityQueue}, {@code java.util.HashMap}, Vaadin 7's {@code PropertysetItem} and
 * {@code NestedMethodProperty}, Clojure's {@code clojure.lang} data structures, Hibernate's proxies).
 */
final class GadgetClasses {

    private static final List<String> ENTRIES = Collections.unmodifiableList(Arrays.asList(
            // ysoserial CommonsCollections1-7 (commons-collections 3): functors, and the decorators that call them
            "org.apache.commons.collections.functors.",
            "org.apache.commons.collections.map.LazyMap",
            "org.apache.commons.collections.map.TransformedMap",
            "org.apache.commons.collections.map.DefaultedMap",
            "org.apache.commons.collections.keyvalue.TiedMapEntry",
            "org.apache.commons.collections.comparators.TransformingComparator",
            // ysoserial CommonsCollections2/4 (commons-collections 4)
            "org.apache.commons.collections4.functors.",
            "org.apache.commons.collections4.map.LazyMap",
            "org.apache.commons.collections4.map.TransformedMap",
            "org.apache.commons.collections4.map.DefaultedMap",
            "org.apache.commons.collections4.keyvalue.TiedMapEntry",
            "org.apache.commons.collections4.comparators.TransformingComparator",
            // ysoserial CommonsBeanutils1
            "org.apache.commons.beanutils.BeanComparator",
            // TemplatesImpl, the code-loading end of most chains (JDK's internal Xalan, and Apache Xalan)
            "com.sun.org.apache.xalan.internal.xsltc.",
            "org.apache.xalan.xsltc.",
            // ysoserial Groovy1
            "org.codehaus.groovy.runtime.ConvertedClosure",
            "org.codehaus.groovy.runtime.ConversionHandler",
            "org.codehaus.groovy.runtime.MethodClosure",
            // ysoserial Spring1 and Spring2
            "org.springframework.beans.factory.ObjectFactory",
            "org.springframework.beans.factory.support.AutowireUtils$",
            "org.springframework.core.SerializableTypeWrapper$",
            "org.springframework.aop.framework.JdkDynamicAopProxy",
            "org.springframework.aop.framework.AdvisedSupport",
            // ysoserial C3P0
            "com.mchange.v2.c3p0.",
            // ysoserial ROME (old and new package)
            "com.sun.syndication.feed.impl.",
            "com.rometools.rome.feed.impl.",
            // ysoserial Hibernate1 and Hibernate2 (not its proxies, which sessions hold)
            "org.hibernate.engine.spi.TypedValue",
            "org.hibernate.tuple.component.",
            "org.hibernate.property.BasicPropertyAccessor$",
            "org.hibernate.property.access.spi.GetterMethodImpl",
            // ysoserial JBossInterceptors1, JavassistWeld1
            "org.jboss.interceptor.",
            "org.jboss.weld.interceptor.",
            // ysoserial Jython1
            "org.python.core.PyFunction",
            "org.python.core.PyBytecode",
            "org.python.core.PyMethod",
            // ysoserial BeanShell1
            "bsh.",
            // ysoserial Click1
            "org.apache.click.control.Column$ColumnComparator",
            "org.apache.click.control.Table",
            // ysoserial MozillaRhino1 and MozillaRhino2
            "org.mozilla.javascript.",
            // ysoserial Clojure (its functions, not the clojure.lang data that Clojure applications keep)
            "clojure.core$",
            "clojure.main$",
            "clojure.inspector.",
            // ysoserial FileUpload1 and Wicket1: files written or deleted while read
            "org.apache.commons.fileupload.disk.DiskFileItem",
            "org.apache.wicket.util.upload.DiskFileItem",
            "org.apache.wicket.util.io.DeferredFileOutputStream",
            // ysoserial Myfaces1 and Myfaces2
            "org.apache.myfaces.view.facelets.el.ValueExpressionMethodExpression",
            "org.apache.myfaces.el.CompositeComponentExpressionHolder",
            // triggers inside the JDK: toString on read (CommonsCollections5, Vaadin1), annotation proxies
            // (CommonsCollections1, Jdk7u21)
            "javax.management.BadAttributeValueExpException",
            "sun.reflect.annotation.AnnotationInvocationHandler",
            // ysoserial JRMPClient and JRMPListener, and JNDI lookups (JdbcRowSetImpl, Jackson's list)
            "java.rmi.server.RemoteObjectInvocationHandler",
            "java.rmi.server.UnicastRemoteObject",
            "java.rmi.activation.",
            "sun.rmi.",
            "com.sun.jndi.",
            "com.sun.rowset.JdbcRowSetImpl"));

    private GadgetClasses() {
    }

    /** Whether the class (as named by {@link Class#getName()}; for an array, its element class) is a gadget. */
    static boolean contains(String className) {
        for (String entry : ENTRIES) {
            char last = entry.charAt(entry.length() - 1);
            if (last == '.' || last == '$' ? className.startsWith(entry) : className.equals(entry)) {
                return true;
            }
        }
        return false;
    }
}
