/** runbooks/disaster-recovery.md. Every value is finished Markdown from disasterRecoveryView. */
export const disasterRecoveryTemplate = `{{> header}}
## {{contentsHeading}}

{{contents}}

## {{objectivesHeading}}

{{objectives}}

{{#if unprotected}}
{{unprotected}}

{{/if}}
## {{inventoryHeading}}

### {{gitHeading}}

{{git}}

### {{backupsHeading}}

{{backups}}

{{#if showBuckets}}
### {{bucketsHeading}}

{{buckets}}

{{/if}}
### {{stateHeading}}

{{state}}

{{#each plans}}
## {{heading}}

{{context}}

{{verdict}}

{{stepsTable}}

{{#each steps}}
### {{heading}}

{{#if note}}
{{note}}

{{/if}}
{{commands}}

{{#if manifest}}
{{manifestIntro}}

{{manifest}}

{{/if}}
{{/each}}
{{/each}}
{{#if showDrills}}
## {{drillsHeading}}

{{drills}}

{{drillsIntro}}

{{#each restoreDrills}}
### {{heading}}

{{#if note}}
{{note}}

{{/if}}
{{#if manifest}}
{{manifestIntro}}

{{manifest}}

{{/if}}
{{commands}}

{{/each}}
{{/if}}
`;
