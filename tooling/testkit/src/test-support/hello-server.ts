// A process for node-process.test.ts: answers every request on PORT, or exits 3 when told to fail.
import { createServer } from "node:http";

if (process.env.FAIL_AT_START === "1") process.exit(3);
createServer((_request, response) => response.end("hello")).listen(Number(process.env.PORT), "127.0.0.1");
