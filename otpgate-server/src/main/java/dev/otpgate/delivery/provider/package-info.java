/**
 * The provider SPI: what an adapter implements to carry messages for one or more channels
 * ({@link dev.otpgate.delivery.provider.Provider}, {@link dev.otpgate.delivery.provider.ProviderSource} for
 * providers built from {@code otpgate.providers.*}), what it is handed and answers, how its receipts come in
 * ({@link dev.otpgate.delivery.provider.ReceiptWebhook}), and the one HTTP support class every HTTP adapter uses
 * ({@link dev.otpgate.delivery.provider.ProviderHttp}: TLS, timeouts, no redirects, bounded answers, the receipt
 * URL). The adapters in delivery's sub-packages implement it; other modules that call a remote API the same way
 * (the CAMARA SIM-swap client) use its HTTP support, which is why it is a named interface.
 */
@org.springframework.modulith.NamedInterface("provider")
package dev.otpgate.delivery.provider;
