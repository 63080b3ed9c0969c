import { platformName } from "./platform.ts";

export const clusters = [{ name: `${platformName}-main` }];
