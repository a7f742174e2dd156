// The digest's inputs and output. `DigestAssessment` mirrors what the LLM stage produces (or its deterministic
// fallback); it is declared here so rendering does not depend on that stage, and the integrator connects the two.
import type { Severity } from '../../normalize/incident.js';

export interface DigestAssessmentGroup {
  id: string;
  title: string;
  likelyCause: string;
  nextStep: string;
  confidence: string;
}

export interface DigestAssessment {
  source: 'model' | 'fallback';
  model: string | null;
  health: 'healthy' | 'degraded' | 'critical';
  headline: string;
  groups: DigestAssessmentGroup[];
}

export interface DigestOptions {
  cycleId: string;
  now: Date;
  /** Where the full JSON report was written; shown as text, never as a link. */
  reportPath?: string;
  /** The sender address, named in the footer. */
  from: string;
  /** Subject prefix and footer name; defaults to `pipeline-audit`. */
  productName?: string;
  /** Lines per section before "N more"; defaults to 50. */
  maxLinesPerSection?: number;
  /** Budget for subject + html + text in bytes (UTF-8, before MIME encoding); defaults to 100,000. */
  maxBytes?: number;
}

export const SECTION_IDS = ['blind_spots', 'new', 'still_failing', 'recovered', 'missed_or_late', 'flapping'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export interface DigestCounts {
  total: number;
  critical: number;
  warning: number;
  bySection: Record<SectionId, number>;
  /** Lines shown in the message (the rest are counted in "N more"). */
  shown: number;
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  /** UTF-8 bytes of subject + html + text. */
  sizeBytes: number;
  counts: DigestCounts;
  /** The highest severity among notices that are not recoveries (null: only recoveries or nothing). */
  highestSeverity: Severity | null;
}
