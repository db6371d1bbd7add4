/**
 * SMS over SMPP 3.4 (jSMPP): one transceiver bind per {@code otpgate.providers.<id>} of {@code type: smpp},
 * with windowing, a throughput limit, automatic rebinds and delivery receipts.
 */
package dev.otpgate.delivery.smpp;
