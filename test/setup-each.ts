import fc from "fast-check";

// Property tests are reproducible: a fixed seed unless FC_SEED asks for another exploration.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123) });
