// Reads {"secret": "whsec_...", "headers": {...}, "body": "..."} lines on stdin and answers one line each:
// "ok" when the standardwebhooks package accepts the signature, or "fail <reason>" when it refuses it.
const { Webhook } = require("standardwebhooks");
const readline = require("readline");

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  try {
    const request = JSON.parse(line);
    new Webhook(request.secret).verify(request.body, request.headers);
    process.stdout.write("ok\n");
  } catch (e) {
    process.stdout.write("fail " + String(e.message || e).replace(/\s+/g, " ") + "\n");
  }
});
