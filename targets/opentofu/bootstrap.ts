import type { Model, ModelCluster } from "../../compiler/model.js";
import { rootApplication } from "../argocd/applications.js";
import { toYaml } from "../shared/yaml.js";
import { attr, blank, block, comment, expr, type HclValue } from "./hcl.js";
import { kubernetesAccess } from "./cluster-access.js";
import { Stack, stageOrderText } from "./stack.js";
import { ARGOCD_APPS_CHART } from "./versions.js";

/**
 * The bootstrap stack of one cluster: ArgoCD and the root Application, nothing else. From there
 * ArgoCD installs the platform components and everything under argocd/<cluster> itself (the argocd
 * target). It is a stack of its own because its providers need a running cluster: configured from a
 * resource of the same stack, they would fail to plan before that cluster exists. They are configured
 * from what exists once the infra stack is applied: its outputs (EKS), or a kubeconfig.
 */
export function bootstrapStack(model: Model, cluster: ModelCluster): Stack {
  const stack = new Stack(cluster.stacks.bootstrap, cluster.stateBackends.bootstrap, `the ${cluster.name} cluster's bootstrap (ArgoCD and its root application)`);
  stack.intro(
    `${stageOrderText(model, cluster, "bootstrap")} This stack is separate because its helm provider needs a running cluster: it reaches the cluster through ${cluster.kind === "eks" ? `the outputs of ${cluster.stacks.infra}` : "a kubeconfig (inputs below)"}, never a resource of the same stack, so it plans only once the cluster exists. It installs ArgoCD and the root Application only; the platform components are ArgoCD Applications under ${cluster.gitopsPaths.argocd}, synced from Git.`,
  );
  stack.provider("helm", [block("kubernetes", [], kubernetesAccess(stack, model, cluster))]);

  const argocd = cluster.argocd;
  // A fixed address for ArgoCD's server (MetalLB) when the spec gives one; the component's own values win.
  const fixedAddress = cluster.loadBalancerIPs.argocd;
  const argocdValues = merge(fixedAddress === undefined ? {} : { server: { service: { type: "LoadBalancer", loadBalancerIP: fixedAddress } } }, argocd.values);
  // Helm's wait includes a LoadBalancer Service's address, which a controller ArgoCD itself installs
  // later (MetalLB) would give: waiting would deadlock until the timeout. Without waiting, helm still
  // returns only once every object (the Application CRD too) is created, which the root release needs.
  const server = argocdValues.server;
  const loadBalancer = isValues(server) && isValues(server.service) && server.service.type === "LoadBalancer";
  const root = rootApplication(model, cluster);
  const { name: rootName, namespace: rootNamespace, labels } = root.metadata ?? {};
  const rootValues = toYaml({
    applications: {
      [rootName!]: {
        namespace: rootNamespace,
        ...(labels && Object.keys(labels).length > 0 && { additionalLabels: labels }),
        ...root.spec,
      },
    },
  });

  stack.section(`ArgoCD ${argocd.chart.version} in ${cluster.argocdNamespace}. ArgoCD does not manage itself here: upgrades go through this stack.`, [
    block("resource", ["helm_release", "argocd"], [
      attr("name", argocd.name),
      attr("namespace", cluster.argocdNamespace),
      attr("create_namespace", true),
      attr("repository", argocd.chart.repoURL),
      attr("chart", argocd.chart.name),
      attr("version", argocd.chart.version),
      ...(Object.keys(argocdValues).length > 0 ? [attr("values", [toYaml(argocdValues)])] : []),
      ...(loadBalancer
        ? [blank, comment("Not waiting for the server's LoadBalancer address: its controller may be one ArgoCD installs."), attr("wait", false)]
        : [attr("wait", true)]),
      attr("timeout", 900),
    ]),
  ]);
  stack.section(
    `The root Application ${cluster.rootApplication}: syncs ${cluster.gitopsPaths.argocd} of ${model.platform.repositories.gitops} at ${model.platform.revision}, the argocd target's output, which holds this Application too (so later changes come from Git).`,
    [
      block("resource", ["helm_release", "root"], [
        attr("name", cluster.rootApplication),
        attr("namespace", cluster.argocdNamespace),
        attr("repository", ARGOCD_APPS_CHART.repository),
        attr("chart", ARGOCD_APPS_CHART.name),
        attr("version", ARGOCD_APPS_CHART.version),
        attr("values", [rootValues]),
        blank,
        comment("The Application CRD comes with ArgoCD."),
        attr("depends_on", [expr("helm_release.argocd")]),
      ]),
    ],
  );
  const outputs: [string, string, HclValue][] = [
    ["argocd_namespace", "Namespace ArgoCD runs in.", expr("helm_release.argocd.namespace")],
    ["root_application", "Name of the root Application (argocd app sync <name>).", expr("helm_release.root.name")],
  ];
  for (const [name, description, value] of outputs) stack.output({ name, description, value });
  return stack;
}

type Values = Record<string, unknown>;
const isValues = (value: unknown): value is Values => typeof value === "object" && value !== null && !Array.isArray(value);

/** Helm's merge of two values files: maps merge key by key, anything else in `over` replaces. */
function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isValues(current) && isValues(value) ? merge(current, value) : value;
  }
  return out;
}
