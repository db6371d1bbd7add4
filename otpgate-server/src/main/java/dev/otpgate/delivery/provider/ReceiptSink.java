package dev.otpgate.delivery.provider;

/**
 * Where adapters hand receipts: SMPP binds call it for each {@code deliver_sm}, the receipts endpoint for each
 * verified callback. Duplicate and out-of-order receipts are harmless: a delivered step stays delivered.
 */
public interface ReceiptSink {

    void accept(DeliveryReceipt receipt);
}
