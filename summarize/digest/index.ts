export { renderDigest, DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES_PER_SECTION } from './render.js';
export { escapeHtml, safeHttpUrl } from './escape.js';
export { formatWhen } from './time.js';
export { sectionOf, SECTION_TITLES } from './sections.js';
export type { DigestAssessment, DigestAssessmentGroup, DigestCounts, DigestOptions, RenderedDigest, SectionId } from './types.js';
export { SECTION_IDS } from './types.js';
export { toDigestAssessment, groupTitle } from './assessment.js';
