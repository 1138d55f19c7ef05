package kos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Local Neo4j 5.26 Community server for development and tests: the embedded
 * DBMS with only the Bolt connector (no HTTP, no browser), auth disabled.
 *
 * <p>Usage: {@code Neo4jServer <homeDir> [host] [port]}. Started and stopped by
 * scripts/neo4j.sh, which waits for the "NEO4J READY" line on stdout.
 */
public final class Neo4jServer {
    private Neo4jServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: kos.Neo4jServer <homeDir> [host] [port]");
            System.exit(2);
        }
        long t0 = System.nanoTime();
        Path home = Path.of(args[0]).toAbsolutePath();
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 7687;
        String pageCache = System.getProperty("kos.pagecache", "256m");

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // No auth: any basic-auth credentials (e.g. neo4j / neo4j-password) are accepted.
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache))
                // Dev-sized transaction logs: no 256 MiB preallocation per database.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(64))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "512M size")
                // Netty's default 5 s quiet period (x2) made every stop take ~10 s.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("NEO4J STOPPING");
            try {
                dbms.shutdown();
                System.out.println("NEO4J STOPPED");
            } catch (Throwable e) {
                System.err.println("NEO4J shutdown failed: " + e);
            } finally {
                stopped.countDown();
            }
        }, "kos-neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        while (!db.isAvailable()) {
            Thread.sleep(100);
        }
        db.executeTransactionally("RETURN 1");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("NEO4J READY bolt://%s:%d (home %s, %d ms)%n", host, port, home, ms);
        System.out.flush();
        stopped.await();
    }
}
