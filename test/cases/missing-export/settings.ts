export const clusterName = "main";
export const region = "eu-west-1";
