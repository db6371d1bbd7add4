package dev.otpgate.audit;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each line through the {@code otpgate.audit} logger at INFO: on the console in Spring Boot's format, structured
 * (ECS, Logstash, GELF) when {@code logging.structured.format.console} is set, with the line as the message and
 * the line's type, sequence or checkpoint as key-value pairs.
 */
final class StdoutAuditSink implements AuditSink {

    private static final Logger log = LoggerFactory.getLogger("otpgate.audit");

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public void deliver(List<Line> lines) {
        for (Line line : lines) {
            log.atInfo().addKeyValue("audit_type", line.checkpoint() ? AuditLines.CHECKPOINT : AuditLines.EVENT)
                    .log(line.json());
        }
    }
}
