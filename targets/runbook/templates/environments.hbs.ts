/** runbooks/environments.md. Every value is finished Markdown from environmentsView. */
export const environmentsTemplate = `{{> header}}
{{#if showContents}}
## {{contentsHeading}}

{{contents}}

{{/if}}
## {{ladderHeading}}

{{ladder}}

## {{summaryHeading}}

{{summary}}

{{#each environments}}
## {{heading}}

{{table}}

{{/each}}
`;
