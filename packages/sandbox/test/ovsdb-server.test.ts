import { expect } from "chai";
import { connect } from "node:net";
import { startOvsdbServer, isAlive } from "@ovnkit/sandbox";

function rpc(path: { path?: string; port?: number }, msg: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = path.path ? connect(path.path) : connect(path.port!, "127.0.0.1");
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString();
      try {
        const v = JSON.parse(buf);
        sock.destroy();
        resolve(v);
      } catch {
        /* incomplete */
      }
    });
    sock.on("error", reject);
    sock.write(JSON.stringify(msg));
  });
}

describe("sandbox: ovsdb-server launcher", () => {
  it("starts on a unix socket and a kernel-chosen tcp port, serves the schema, stops by pid", async () => {
    const srv = await startOvsdbServer({ schema: "nb" });
    try {
      expect(srv.tcpPort).to.be.a("number").and.greaterThan(0);
      expect(srv.tcpRemote).to.equal(`tcp:127.0.0.1:${srv.tcpPort}`);
      const viaUnix = (await rpc({ path: srv.unixSocket }, { id: 1, method: "list_dbs", params: [] })) as { result: string[] };
      expect(viaUnix.result).to.include("OVN_Northbound");
      const viaTcp = (await rpc({ port: srv.tcpPort }, { id: 2, method: "list_dbs", params: [] })) as { result: string[] };
      expect(viaTcp.result).to.include("OVN_Northbound");
    } finally {
      await srv.stop({ removeDir: true });
    }
    expect(await isAlive(srv.pid)).to.equal(false);
  });

  it("kill -9 then restart on the same port keeps the data file", async () => {
    const srv = await startOvsdbServer();
    try {
      const port = srv.tcpPort;
      const ins = (await rpc({ port }, { id: 1, method: "transact", params: ["OvnkitTest", { op: "insert", table: "Item", row: { name: "a", count: 1 } }] })) as { result: unknown[] };
      expect(ins.result[0]).to.have.property("uuid");
      const oldPid = srv.pid;
      await srv.kill9();
      expect(await isAlive(oldPid)).to.equal(false);
      await srv.restart();
      expect(srv.tcpPort).to.equal(port);
      expect(srv.pid).to.not.equal(oldPid);
      const sel = (await rpc({ port }, { id: 2, method: "transact", params: ["OvnkitTest", { op: "select", table: "Item", where: [], columns: ["name"] }] })) as { result: { rows: unknown[] }[] };
      expect(sel.result[0]!.rows).to.deep.equal([{ name: "a" }]);
    } finally {
      await srv.stop({ removeDir: true });
    }
  });
});
