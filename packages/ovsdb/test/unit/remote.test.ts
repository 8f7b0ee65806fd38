import { expect } from "chai";
import { formatRemote, parseRemote, parseRemotes } from "../../src/transport/remote.js";
import { codeOf } from "../helpers/errors.js";

describe("remote strings", () => {
  it("parses unix:, tcp: and ssl: as OVS writes them", () => {
    expect(parseRemote("unix:/run/ovn/ovnnb_db.sock")).to.deep.equal({ type: "unix", path: "/run/ovn/ovnnb_db.sock", text: "unix:/run/ovn/ovnnb_db.sock" });
    expect(parseRemote("unix:relative/db.sock")).to.include({ type: "unix", path: "relative/db.sock" });
    expect(parseRemote("tcp:127.0.0.1:6641")).to.deep.equal({ type: "tcp", host: "127.0.0.1", port: 6641, text: "tcp:127.0.0.1:6641" });
    expect(parseRemote("ssl:10.0.0.1:6642")).to.include({ type: "ssl", host: "10.0.0.1", port: 6642 });
    expect(parseRemote("tcp:ovn-central.example.com:6641")).to.include({ host: "ovn-central.example.com", port: 6641 });
  });

  it("IPv6 addresses in brackets", () => {
    expect(parseRemote("tcp:[::1]:6641")).to.include({ type: "tcp", host: "::1", port: 6641 });
    expect(parseRemote("ssl:[fd00:10:244::5]:6642")).to.include({ type: "ssl", host: "fd00:10:244::5", port: 6642 });
    expect(parseRemote("tcp:[::1]")).to.include({ host: "::1", port: 6640 });
    expect(formatRemote(parseRemote("tcp:[::1]:6641"))).to.equal("tcp:[::1]:6641");
  });

  it("the port defaults to 6640, as in OVS", () => {
    expect(parseRemote("tcp:10.1.2.3")).to.include({ port: 6640 });
    expect(parseRemote("ssl:db.example")).to.include({ port: 6640 });
  });

  it("comma-separated lists (a piece without ':' belongs to the previous remote)", () => {
    const list = parseRemotes("tcp:10.0.0.1:6641,ssl:[::1]:6642, unix:/tmp/a,b.sock,tcp:10.0.0.2:6641");
    expect(list.map((r) => r.type)).to.deep.equal(["tcp", "ssl", "unix", "tcp"]);
    expect(list[2]).to.include({ path: "/tmp/a,b.sock" });
    expect(parseRemotes(["unix:/x", "tcp:1.2.3.4:1,tcp:1.2.3.5:2"]).map(formatRemote)).to.deep.equal(["unix:/x", "tcp:1.2.3.4:1", "tcp:1.2.3.5:2"]);
  });

  it("anything else is INVALID_REMOTE", () => {
    const bad = [
      "", "nonsense", "http://x", "udp:1.2.3.4:5", "unix:", "tcp:", "tcp::6641", "tcp:1.2.3.4:", "tcp:1.2.3.4:0",
      "tcp:1.2.3.4:65536", "tcp:1.2.3.4:x", "tcp:::1:6641", "tcp:[::1", "tcp:[::1]6641", "tcp:[1.2.3.4]:1",
      "ptcp:6641", "punix:/x", "pssl:6641:127.0.0.1", "tcp:a b:1", "tcp:1.2.3.4:1,", ",tcp:1.2.3.4:1",
    ];
    for (const b of bad) expect(codeOf(() => parseRemotes(b)), JSON.stringify(b)).to.equal("INVALID_REMOTE");
    expect(codeOf(() => parseRemotes([]))).to.equal("INVALID_REMOTE");
  });
});
