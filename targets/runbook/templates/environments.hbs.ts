/** runbooks/environments.md. Every value is finished Markdown from environmentsView. */
export const environmentsTemplate = `{{> header}}
{{> contents}}
## {{ladderHeading}}

{{ladder}}

## {{summaryHeading}}

{{summary}}

{{#each environments}}
## {{heading}}

{{table}}

{{/each}}
`;
