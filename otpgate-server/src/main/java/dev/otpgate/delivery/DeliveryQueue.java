package dev.otpgate.delivery;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.otpgate.platform.KeyRing;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import java.util.Base64;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * The public face of delivery: queue a message for a verification step. Called inside the caller's transaction,
 * the job row commits or rolls back with the verification (db-scheduler writes through Spring's
 * transaction-aware data source). No provider is called here.
 */
@Component
public class DeliveryQueue {

    private final SchedulerClient scheduler;
    private final OneTimeTask<String> task;
    private final KeyRing keys;
    private final JsonMapper json;
    private final ProviderRegistry router;
    private final DeliveryWakeUp wakeUp;

    DeliveryQueue(SchedulerClient scheduler, @Qualifier("deliverTask") OneTimeTask<String> deliverTask, KeyRing keys, JsonMapper json,
            ProviderRegistry router, DeliveryWakeUp wakeUp) {
        this.scheduler = scheduler;
        this.task = deliverTask;
        this.keys = keys;
        this.json = json;
        this.router = router;
        this.wakeUp = wakeUp;
    }

    /** True when some provider (or the dev inbox) can deliver {@code channel}. */
    public boolean canDeliver(String channel) {
        return router.canDeliver(channel);
    }

    public void enqueue(DeliveryRequest request) {
        String instanceId = request.verificationId() + "-" + request.step();
        // A batch of one is a plain insert; schedule() would first select to see whether the job exists, and
        // the id (verification and step) is new by construction.
        scheduler.scheduleBatch(List.<TaskInstance<?>>of(task.instance(instanceId, seal(request, instanceId))), request.queuedAt());
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // The worker polls too; this only saves the wait for the next poll once the row is visible.
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    wakeUp.now();
                }
            });
        } else {
            wakeUp.now();
        }
    }

    String seal(DeliveryRequest request, String instanceId) {
        byte[] ciphertext = keys.encrypt(json.writeValueAsBytes(request), "delivery:" + instanceId);
        return Base64.getEncoder().encodeToString(ciphertext);
    }

    DeliveryRequest open(String sealed, String instanceId) {
        byte[] plaintext = keys.decrypt(Base64.getDecoder().decode(sealed), "delivery:" + instanceId);
        return json.readValue(plaintext, DeliveryRequest.class);
    }
}
