package io.memsession.core;

import java.util.Map;
import java.util.logging.Logger;

import javax.security.auth.callback.CallbackHandler;

import io.memsession.core.config.MemcachedNode;

import net.spy.memcached.ops.Operation;
import net.spy.memcached.ops.OperationCallback;
import net.spy.memcached.ops.OperationStatus;
import net.spy.memcached.ops.SASLAuthOperation;
import net.spy.memcached.ops.SASLStepOperation;
import net.spy.memcached.protocol.binary.BinaryOperationFactory;

/**
 * The binary protocol's operations for one node, remembering whether the node refused our SASL credentials. The
 * memcached client only logs a refusal and asks again, so the node would look merely down; this lets start-up tell
 * wrong credentials from a node that is not there, and says so once when a node refuses them later.
 */
final class CredentialsCheck extends BinaryOperationFactory {

    private static final Logger LOG = Logger.getLogger(MemcachedStore.class.getName());

    private final MemcachedNode node;
    private final String username;
    private volatile String refusal;
    private volatile boolean accepted;
    private volatile boolean logsRefusals;

    CredentialsCheck(MemcachedNode node, String username) {
        this.node = node;
        this.username = username;
    }

    /** memcached's answer when it last refused the credentials; null if it accepted them (or was not asked yet). */
    String refusal() {
        return refusal;
    }

    /** What to tell the operator about the refusal, naming the node and the user, never the password. */
    String refusalMessage() {
        return "memcached node " + node + " refused the SASL credentials of username=\"" + username + "\" ("
                + refusal + "): check username and password (or passwordFile)";
    }

    /** After start, when a refusal no longer stops anything: log each one (once, until they are accepted again). */
    void logRefusalsFromNowOn() {
        logsRefusals = true;
    }

    /** Whether memcached accepted the credentials the last time it was asked. */
    boolean accepted() {
        return accepted;
    }

    @Override
    public SASLAuthOperation saslAuth(String[] mechanisms, String serverName, Map<String, ?> properties,
                                      CallbackHandler credentials, OperationCallback callback) {
        Watch watch = new Watch(callback);
        SASLAuthOperation operation = super.saslAuth(mechanisms, serverName, properties, credentials, watch);
        watch.operation = operation;
        return operation;
    }

    @Override
    public SASLStepOperation saslStep(String[] mechanisms, byte[] challenge, String serverName,
                                      Map<String, ?> properties, CallbackHandler credentials,
                                      OperationCallback callback) {
        Watch watch = new Watch(callback);
        SASLStepOperation operation = super.saslStep(mechanisms, challenge, serverName, properties, credentials,
                watch);
        watch.operation = operation;
        return operation;
    }

    private void refuse(String answer) {
        boolean first = refusal == null;
        accepted = false;
        refusal = answer;
        if (first && logsRefusals) {
            LOG.severe(refusalMessage() + "; sessions go to the other nodes");
        }
    }

    /**
     * memcached answers wrong credentials with an error status, which the client turns into an error of the
     * operation (and a new connection), not into a status for the callback.
     */
    private final class Watch implements OperationCallback {
        private final OperationCallback callback;
        volatile Operation operation;

        Watch(OperationCallback callback) {
            this.callback = callback;
        }

        @Override
        public void receivedStatus(OperationStatus status) {
            if (status.isSuccess()) {
                refusal = null;
                accepted = true;
            } else if (!MemcachedStore.NO_ANSWER.contains(status.getStatusCode())) {
                refuse(status.getMessage());
            }
            callback.receivedStatus(status);
        }

        @Override
        public void complete() {
            Operation completed = operation;
            if (completed != null && completed.hasErrored() && completed.getException() != null) {
                refuse(completed.getException().getMessage());
            }
            callback.complete();
        }
    }
}
