package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.memsession.core.config.MemcachedNode;

/** The configuration endpoint's answer: what ElastiCache sends is read; anything else is refused as a whole. */
class ClusterConfigReplyTest {

    private static final String TWO_NODES = "12\nmc1.example.com|10.0.0.1|11211 mc2.example.com|10.0.0.2|11212\n";

    private static ClusterConfigReply read(String answer) throws IOException {
        return ClusterConfigReply.read(new ByteArrayInputStream(answer.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String config(String body) {
        return "CONFIG cluster 0 " + body.length() + "\r\n" + body + "\r\nEND\r\n";
    }

    private static String refusal(String answer) {
        return assertThrows(IOException.class, () -> read(answer)).getMessage();
    }

    @Test
    void readsElastiCachesAnswerWithTheNodesAddressesAndStableIds() throws IOException {
        ClusterConfigReply reply = read(config(TWO_NODES));
        assertEquals(12, reply.version());
        assertEquals("mc1.example.com|10.0.0.1:11211 mc2.example.com|10.0.0.2:11212", reply.nodes().stream()
                .map(node -> node.toString().substring(node.id().length() + 1)).collect(Collectors.joining(" ")));
        MemcachedNode first = reply.nodes().get(0);
        assertEquals("10.0.0.1", first.connectHost(), "connects to the address given, without a look-up");
        assertEquals(first.id(), MemcachedNode.discovered("MC1.example.com", "10.9.9.9", 11211).id(),
                "the id depends on host name and port only: not on the address, nor on the other nodes");
        assertNotEquals(first.id(), MemcachedNode.discovered("mc1.example.com", "10.0.0.1", 11212).id());
        assertTrue(first.id().matches("[0-9a-f]{8}"), first.id());
    }

    @Test
    void readsTheLegacyGetsAnswerAndNodesWithoutHostOrAddress() throws IOException {
        String body = "3\n|10.0.0.7|11211 mc8||11211\n";
        ClusterConfigReply reply = read("VALUE AmazonElastiCache:cluster 0 " + body.length() + "\r\n" + body
                + "\r\nEND\r\n");
        assertEquals("10.0.0.7", reply.nodes().get(0).host(), "named by its address");
        assertEquals("mc8", reply.nodes().get(1).connectHost(), "looked up by name");
        assertTrue(reply.nodes().get(1).isResolved());
    }

    @Test
    void anEndpointWithoutTheCommandOrKeyAnswersNoList() throws IOException {
        assertNull(read("ERROR\r\n"));
        assertNull(read("END\r\n"));
    }

    @Test
    void truncatedAnswersAreRefused() {
        String whole = config(TWO_NODES);
        assertTrue(refusal(whole.substring(0, 10)).contains("first line"));
        assertTrue(refusal(whole.substring(0, 40)).contains("announced bytes"));
        assertTrue(refusal(whole.substring(0, whole.length() - 3)).contains("announced bytes"));
        // a byte count one too short: the body's last newline is taken for the start of the trailer
        assertTrue(refusal("CONFIG cluster 0 " + (TWO_NODES.length() - 1) + "\r\n" + TWO_NODES + "\r\nEND\r\n")
                .contains("does not end in END"));
    }

    @Test
    void oversizedAnswersAreRefusedBeforeTheyAreRead() {
        assertTrue(refusal("CONFIG cluster 0 999999999\r\n").contains("more than the 65536 accepted"));
        StringBuilder line = new StringBuilder("CONFIG cluster 0 ");
        for (int i = 0; i < 1000; i++) {
            line.append('9');
        }
        assertTrue(refusal(line.toString()).contains("first line longer"));
        StringBuilder many = new StringBuilder("1\n");
        for (int i = 0; i <= ClusterConfigReply.MAX_NODES; i++) {
            many.append("h").append(i).append("||11211 ");
        }
        assertTrue(refusal(config(many.append('\n').toString())).contains("more than the 500 accepted"));
    }

    @Test
    void forgedAnswersAreRefusedAsAWhole() {
        assertTrue(refusal("VALUE session:key 0 5\r\nhello\r\nEND\r\n").contains("not a cluster configuration"));
        assertTrue(refusal("SERVER_ERROR out of memory\r\n").contains("not a cluster configuration"));
        assertTrue(refusal(config("x\nmc1|10.0.0.1|11211\n")).contains("version"));
        assertTrue(refusal(config("1\n\n")).contains("lists no node"), "no list would drop every node");
        assertTrue(refusal(config("1\nmc1|10.0.0.1|11211\nmc2|10.0.0.2|11211\n")).contains("a version line"));
        assertTrue(refusal(config("1\nmc1|10.0.0.1|99999\n")).contains("out of range"));
        assertTrue(refusal(config("1\nmc1|10.0.0.1|0\n")).contains("out of range"));
        assertTrue(refusal(config("1\nmc1:10.0.0.1:11211\n")).contains("not a node"));
        assertTrue(refusal(config("1\n||11211\n")).contains("not a node"));
        assertTrue(refusal(config("1\nevil/../host|10.0.0.1|11211\n")).contains("not a node"));
        assertTrue(refusal(config("1\nmc1|10.0.0.1 ; rm|11211\n")).contains("not a node"));
        assertTrue(refusal(config("1\nmc1|\u00e9|11211\n")).contains("not a node"));
        assertTrue(refusal(config("1\nmc1|10.0.0.1|11211 MC1|10.0.0.9|11211\n")).contains("two nodes with the id"));
        assertTrue(refusal("CONFIG cluster 0 3\n").contains("\\r\\n"));
    }
}
