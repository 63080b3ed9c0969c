/** runbooks/first-install.md. Every value is finished Markdown from firstInstallView. */
export const firstInstallTemplate = `{{> header}}
{{> contents}}
## {{orderHeading}}

{{order}}

{{#if hasPrerequisites}}
## {{prerequisitesHeading}}

{{prerequisites}}

{{/if}}
## {{stepsHeading}}

{{#each steps}}
### {{heading}}

{{text}}

{{#if commands}}
{{commands}}

{{/if}}
{{/each}}
{{#each clusters}}
## {{heading}}

{{text}}

{{waves}}

{{/each}}
`;
