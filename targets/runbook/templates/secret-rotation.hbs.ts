/** runbooks/secret-rotation.md. Every value is finished Markdown from secretRotationView. */
export const secretRotationTemplate = `{{> header}}
{{> contents}}
## {{overviewHeading}}

{{overview}}

## {{storesHeading}}

{{stores}}

{{#if showEnvironments}}
## {{environmentsHeading}}

{{environments}}

{{/if}}
{{#each services}}
## {{heading}}

{{location}} {{howTo}}

{{> rotationSteps}}
{{table}}

{{/each}}
{{#each secrets}}
## {{heading}}

{{summary}}

{{data}}

{{> rotationSteps}}
{{/each}}
`;

/** Write, resync, restart: the steps of one rotation, for a service secret template or a platform secret. */
export const rotationStepsPartial = `1. {{writeText}}

{{write}}

2. Make External Secrets fetch it now, and check that the status is SecretSynced:

{{resync}}

{{#if showRestart}}
3. The value reaches the service as an environment variable, so restart it:

{{restart}}

{{/if}}
`;
