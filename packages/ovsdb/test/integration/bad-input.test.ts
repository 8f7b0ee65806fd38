/**
 * Bad input from the server, which a real ovsdb-server cannot be made to send: a tiny scripted fake server
 * (node:net on 127.0.0.1:0) answers the client's first request with garbage bytes, invalid JSON, a reply for
 * an unknown id, a 200 MB frame... Each must end the session with a typed error (status$ + error$), reject the
 * pending calls with it, and never crash the process.
 */
import { expect } from "chai";
import { createServer, type Server, type Socket } from "node:net";
import { OvsdbClient } from "../../src/client/client.js";
import type { ClientStatus } from "../../src/client/status.js";
import type { OvsdbError } from "../../src/protocol/errors.js";
import { rejection } from "../helpers/errors.js";

interface FakeServer {
  remote: string;
  /** Bytes the fake server had written when the client went away (for the huge-frame test). */
  written: () => number;
  closed: Promise<void>;
  stop(): Promise<void>;
}

/** Answers the first request it receives with `script(socket, id)`. */
async function fakeServer(script: (socket: Socket, id: number) => void): Promise<FakeServer> {
  let written = 0;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined); // the client hangs up on us: expected
    socket.on("close", () => resolveClosed());
    let buffered = "";
    let answered = false;
    socket.on("data", (d) => {
      buffered += d.toString();
      const m = /"id":(\d+)/.exec(buffered);
      if (m && !answered) {
        answered = true;
        const write = socket.write.bind(socket);
        socket.write = ((chunk: string | Buffer, ...rest: never[]) => {
          written += chunk.length;
          return write(chunk, ...rest);
        }) as typeof socket.write;
        script(socket, Number(m[1]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    remote: `tcp:127.0.0.1:${port}`,
    written: () => written,
    closed,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects, sends one echo (answered by the script) plus another pending call, and returns what happened. */
async function session(fake: FakeServer, options: { maxFrameBytes?: number } = {}) {
  const client = await OvsdbClient.connect(fake.remote, options);
  const statuses: ClientStatus[] = [];
  const errors: OvsdbError[] = [];
  client.status$.subscribe((s) => statuses.push(s));
  client.error$.subscribe((e) => errors.push(e));
  const first = rejection(client.echo(["first"]));
  const second = rejection(client.listDbs());
  const [e1, e2] = await Promise.all([first, second]);
  await client.close();
  return { e1, e2, statuses, errors, client };
}

describe("bad input from the server (scripted fake server)", () => {
  const cases: [string, (s: Socket, id: number) => void, string][] = [
    ["garbage bytes", (s) => s.write("HTTP/1.1 400 Bad Request\r\n\r\n"), "MALFORMED_FRAME"],
    ["invalid JSON", (s, id) => s.write(`{"id":${id},"result":[1,,2],"error":null}`), "INVALID_JSON"],
    ["a bad literal", (s, id) => s.write(`{"id":${id},"result":[tru],"error":null}`), "INVALID_JSON"],
    ["a reply for an unknown id", (s) => s.write(`{"id":424242,"result":[],"error":null}`), "UNEXPECTED_REPLY"],
    ["a JSON value that is not a message", (s) => s.write(`[1,2,3]`), "INVALID_MESSAGE"],
    ["a malformed update2 notification", (s) => s.write(`{"id":null,"method":"update2","params":"nope"}`), "INVALID_MESSAGE"],
    ["a malformed update3 notification", (s) => s.write(`{"id":null,"method":"update3","params":["m",{}]}`), "INVALID_MESSAGE"],
  ];

  for (const [what, script, code] of cases) {
    it(`${what} -> ${code} on the connection; pending calls rejected with it`, async () => {
      const fake = await fakeServer(script);
      try {
        const { e1, e2, statuses, errors } = await session(fake);
        expect([e1.code, e2.code]).to.deep.equal([code, code]);
        expect(statuses.map((s) => s.state)).to.deep.equal(["connected", "disconnected", "closed"]);
        expect((statuses[1] as { error: OvsdbError }).error.code).to.equal(code);
        expect(errors.map((e) => e.code)).to.deep.equal([code]);
        await fake.closed; // the client dropped the connection
      } finally {
        await fake.stop();
      }
    });
  }

  it("a good reply then garbage: the reply is delivered, the later call fails with MALFORMED_FRAME", async () => {
    const fake = await fakeServer((s, id) => s.write(`{"id":${id},"result":["first"],"error":null}GARBAGE`));
    try {
      const client = await OvsdbClient.connect(fake.remote);
      const first = client.echo(["first"]);
      const second = rejection(client.listDbs());
      expect(await first).to.deep.equal(["first"]);
      expect((await second).code).to.equal("MALFORMED_FRAME");
      await client.close();
    } finally {
      await fake.stop();
    }
  });

  it("the server closing in the middle of a frame -> CONNECTION_CLOSED", async () => {
    const fake = await fakeServer((s, id) => s.end(`{"id":${id},"result":["fir`));
    try {
      const { e1, e2, statuses } = await session(fake);
      expect([e1.code, e2.code]).to.deep.equal(["CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
      expect((statuses[1] as { error: OvsdbError }).error.code).to.equal("CONNECTION_CLOSED");
    } finally {
      await fake.stop();
    }
  });

  it("a 200 MB frame -> FRAME_TOO_LARGE at the 128 MiB default, without reading the rest", async function () {
    this.timeout(60_000);
    const MB = 1024 * 1024;
    const piece = Buffer.alloc(MB, 0x61);
    const fake = await fakeServer((s, id) => {
      s.write(`{"id":${id},"result":"`);
      let sent = 0;
      const pump = (): void => {
        while (sent < 200 && !s.destroyed) {
          sent++;
          if (!s.write(piece)) {
            s.once("drain", pump);
            return;
          }
        }
        if (!s.destroyed) s.end(`"}`);
      };
      pump();
    });
    try {
      const before = process.memoryUsage().rss;
      const { e1, e2, errors } = await session(fake);
      expect([e1.code, e2.code]).to.deep.equal(["FRAME_TOO_LARGE", "FRAME_TOO_LARGE"]);
      expect(errors.map((e) => e.code)).to.deep.equal(["FRAME_TOO_LARGE"]);
      expect(e1.details.maxFrameBytes).to.equal(128 * MB);
      await fake.closed;
      // the client hung up soon after 128 MiB: the fake server could not push all 200 MB
      expect(fake.written()).to.be.below(200 * MB);
      expect(process.memoryUsage().rss - before).to.be.below(400 * MB);
    } finally {
      await fake.stop();
    }
  });

  it("a smaller configured maxFrameBytes applies", async () => {
    const fake = await fakeServer((s, id) => s.write(`{"id":${id},"result":["${"x".repeat(5000)}"],"error":null}`));
    try {
      const { e1 } = await session(fake, { maxFrameBytes: 1024 });
      expect(e1.code).to.equal("FRAME_TOO_LARGE");
    } finally {
      await fake.stop();
    }
  });

  it("replies split into single bytes across many TCP writes are still decoded", async () => {
    const fake = await fakeServer((s, id) => {
      const bytes = Buffer.from(`{"id":${id},"result":["é漢😀",9223372036854775807],"error":null}`);
      let i = 0;
      const next = (): void => {
        if (i < bytes.length) s.write(bytes.subarray(i, ++i), () => setImmediate(next));
      };
      next();
    });
    try {
      const client = await OvsdbClient.connect(fake.remote);
      expect(await client.echo(["first"])).to.deep.equal(["é漢😀", 9223372036854775807n]);
      await client.close();
    } finally {
      await fake.stop();
    }
  });
});
