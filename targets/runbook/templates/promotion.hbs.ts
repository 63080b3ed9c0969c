/** runbooks/promotion.md. Every value is finished Markdown from promotionView. */
export const promotionTemplate = `{{> header}}
{{#if entry}}
{{entry}}

{{/if}}
{{> contents}}
## {{ladderHeading}}

{{ladder}}

## {{gatesHeading}}

{{gates}}

## {{releasesHeading}}

{{releases}}

## {{promoteHeading}}

{{#each promotions}}
### {{heading}}

{{gate}}

{{#if empty}}
{{emptyText}}

{{else}}
{{edit}}

{{#if showSync}}
{{syncText}}

{{sync}}

{{else}}
{{autoSyncText}}

{{/if}}
{{#if showWatch}}
{{watchText}}

{{watch}}

{{/if}}
{{/if}}
{{/each}}
## {{rollbackHeading}}

{{rollbackIntro}}

{{#each rollbacks}}
### {{heading}}

{{#if empty}}
{{emptyText}}

{{else}}
Stop it now (allowed for {{who}}):

{{immediate}}

{{selfHeal}}

{{revert}}

{{/if}}
{{/each}}
{{#if showRoles}}
## {{rolesHeading}}

{{roles}}
{{/if}}
`;
