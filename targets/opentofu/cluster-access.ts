import type { Model, ModelCluster } from "../../compiler/model.js";
import { attr, block, call, expr, type HclBodyItem } from "./hcl.js";
import { remoteStateBlock, type Stack } from "./stack.js";

/**
 * The infra stack's outputs as another stack of the same cluster reads them (`terraform_remote_state`,
 * declared once per stack): what infra made reaches bootstrap and config without copying values by hand.
 */
export function infraOutputs(stack: Stack, cluster: ModelCluster): string {
  stack.once("remote-state-infra", () =>
    stack.section(`The outputs of ${cluster.stacks.infra}, read from its state: apply that stack first.`, [
      remoteStateBlock("infra", cluster.stateBackends.infra, cluster.stacks.infra),
    ]),
  );
  return "data.terraform_remote_state.infra.outputs";
}

/**
 * How the helm and kubernetes providers reach the cluster's API. EKS: the endpoint and CA the infra
 * stack made (its outputs), with a token from `aws eks get-token`, so no kubeconfig is needed. Other
 * clusters are made outside plinth: a kubeconfig and context.
 */
export function kubernetesAccess(stack: Stack, model: Model, cluster: ModelCluster): HclBodyItem[] {
  const profile = model.profiles.find((p) => p.name === cluster.profile)!;
  if (cluster.kind === "eks" && profile.cloud === "aws") {
    const outputs = infraOutputs(stack, cluster);
    const region = cluster.region ?? profile.region;
    return [
      attr("host", expr(`${outputs}.cluster_endpoint`)),
      attr("cluster_ca_certificate", call("base64decode", expr(`${outputs}.cluster_certificate_authority`))),
      block("exec", [], [
        attr("api_version", "client.authentication.k8s.io/v1beta1"),
        attr("command", "aws"),
        attr("args", ["eks", "get-token", "--cluster-name", expr(`${outputs}.cluster_name`), ...(region !== undefined ? ["--region", region] : [])]),
      ]),
    ];
  }
  const kubeconfig = stack.variable({
    name: "kubeconfig_path",
    type: "string",
    description: `Kubeconfig with access to the ${cluster.name} cluster.`,
    default: "~/.kube/config",
  });
  const context = stack.variable({
    name: "kube_context",
    type: "string",
    description: "Context in that kubeconfig; null uses its current context.",
    default: null,
  });
  return [attr("config_path", kubeconfig), attr("config_context", context)];
}
