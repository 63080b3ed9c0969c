import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { it } from "vitest";
import { buildExample, EXAMPLES } from "./helpers.js";
it("dump", async () => {
  rmSync("/tmp/tofu-after", { recursive: true, force: true });
  for (const name of EXAMPLES) {
    const { files } = await buildExample(name);
    for (const f of files.filter((f) => f.path.startsWith("opentofu/"))) {
      const full = path.join("/tmp/tofu-after", name, f.path);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, f.content);
    }
  }
});
