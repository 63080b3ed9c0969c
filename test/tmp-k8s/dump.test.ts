import { it } from "vitest";
import { buildExample, EXAMPLES } from "../helpers.js";
it("dump", async () => {
  for (const ex of EXAMPLES) {
    const { model } = await buildExample(ex);
    console.log("=== " + ex);
    console.log(JSON.stringify(model.backups.map(({at, ...b}) => b)));
    console.log(JSON.stringify(model.dataServices.map(({at, ...b}) => b)));
    console.log(JSON.stringify(model.namespaces.map((n) => ({name: n.name, cluster: n.cluster, env: n.environment, quota: n.quota, lr: n.limitRange, np: n.networkPolicy}))));
    console.log(JSON.stringify(model.clusters.map((c) => ({name: c.name, profile: c.profile, cloud: c.cloud, comps: c.components.map(x => x.name+"@"+x.namespace), velero: c.veleroServiceAccount}))));
    console.log(JSON.stringify(model.environments.map((e) => ({name: e.name, cluster: e.cluster, ns: e.namespace, dns: e.dataNamespace, ds: e.dataServices, preview: !!e.preview}))));
    console.log(JSON.stringify(model.profiles.map((p) => ({name: p.name, os: p.objectStorage, sc: p.storageClass}))));
  }
});
