import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { it } from "vitest";
import { opentofuTarget } from "../../targets/opentofu/index.js";
import { fixtureModel } from "../fixtures/model.js";
it("dump", () => {
  const m = fixtureModel();
  m.buckets.push({ name: "acme-cloud-backups", cluster: "cloud", profile: "cloud", purpose: "backups", retentionDays: 30 }, { name: "acme-homelab-backups", cluster: "homelab", profile: "onprem", purpose: "backups", retentionDays: 14 });
  for (const f of opentofuTarget.generate(m)) {
    const p = path.join("/tmp/tofu-out", f.path);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, f.content);
  }
});
