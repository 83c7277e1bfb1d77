package io.memsession.core.format;

import java.io.IOException;

/**
 * Reads the login memcached-session-manager (msm) stored with a session, in the form msm's jar for the Tomcat line
 * wrote it: Java serialization of the realm's principal on Tomcat 8.5 and 9 ({@link PrincipalCodec}), the data of
 * Tomcat's cluster principal on Tomcat 7 ({@link ClusterPrincipalReader}). The bridge chooses one per line when the
 * context starts. Only the user name of what is read counts: the application's realm confirms the user.
 */
public interface MsmPrincipalReader {

    /**
     * @return the principal msm stored; null for null bytes
     * @throws IOException when the bytes are not a principal in this form
     */
    PrincipalCodec.Authentication decode(byte[] bytes) throws IOException;
}
