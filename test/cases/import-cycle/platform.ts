import { definePlatform } from "plinth";
import { clusters } from "./clusters.ts";

export const platformName = "shop";

export default definePlatform({ name: platformName, clusters } as never);
