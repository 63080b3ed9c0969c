import { defineNamespaces } from "plinth";

export const namespaces = defineNamespaces([
  { name: "dev", cluster: "main", quota: { cpu: "2", memory: "4Gi" } },
  { name: "prod", cluster: "main", quota: { cpu: "4", memory: "8Gi" }, podSecurity: "strict" as never },
]);
