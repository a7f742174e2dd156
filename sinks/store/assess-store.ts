// The assessment and delivery methods of a store, over its SqlSession: both stores delegate to this one
// implementation, so DuckDB and Snowflake cannot drift apart in what they keep or how they read it.
import type { AssessSnapshot, Ledger } from '../../normalize/assessment.js';
import type { Incident, IncidentEvent } from '../../normalize/incident.js';
import { acknowledge, addSilence, readIncidentEvents, readIncidents, readOpenIncidents, readSilences, removeSilence, writeIncidents } from './assess-incidents.js';
import { claimDelivery, confirmDelivery, failDelivery, readLedger, readNarrative, readPendingDeliveries, writeNarrative } from './assess-delivery.js';
import { readAssessmentSnapshot } from './assess-snapshot.js';
import { readAssessmentInputs } from './assess-inputs.js';
import type { SqlSession } from './assess-sql.js';
import type { AssessmentInputs, AssessStore, Delivery, DeliveryClaim, DeliveryConfirmation, DeliveryFailure, IncidentQuery, Narrative, ScopeRef, SnapshotOptions, StoredSilence } from './types.js';

export class AssessSql implements AssessStore {
  constructor(private readonly s: SqlSession) {}
  readAssessmentSnapshot(scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessSnapshot> {
    return readAssessmentSnapshot(this.s, scopes, opts);
  }
  readAssessmentInputs(scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessmentInputs> {
    return readAssessmentInputs(this.s, scopes, opts);
  }
  readOpenIncidents(): Promise<Incident[]> {
    return readOpenIncidents(this.s);
  }
  writeIncidents(incidents: readonly Incident[], events: readonly IncidentEvent[]): Promise<void> {
    return writeIncidents(this.s, incidents, events);
  }
  readIncidents(query: IncidentQuery): Promise<Incident[]> {
    return readIncidents(this.s, query);
  }
  readIncidentEvents(incidentId: string): Promise<IncidentEvent[]> {
    return readIncidentEvents(this.s, incidentId);
  }
  addSilence(silence: StoredSilence): Promise<void> {
    return addSilence(this.s, silence);
  }
  removeSilence(idOrMatch: string): Promise<number> {
    return removeSilence(this.s, idOrMatch);
  }
  readSilences(now: Date): Promise<StoredSilence[]> {
    return readSilences(this.s, now);
  }
  acknowledge(incidentId: string, author: string, at: Date, cycleId?: string): Promise<boolean> {
    return acknowledge(this.s, incidentId, author, at, cycleId);
  }
  readLedger(team?: string): Promise<Ledger> {
    return readLedger(this.s, team);
  }
  claimDelivery(claim: DeliveryClaim): Promise<boolean> {
    return claimDelivery(this.s, claim);
  }
  confirmDelivery(confirmation: DeliveryConfirmation): Promise<void> {
    return confirmDelivery(this.s, confirmation);
  }
  failDelivery(failure: DeliveryFailure): Promise<void> {
    return failDelivery(this.s, failure);
  }
  readPendingDeliveries(): Promise<Delivery[]> {
    return readPendingDeliveries(this.s);
  }
  readNarrative(factsHash: string): Promise<Narrative | null> {
    return readNarrative(this.s, factsHash);
  }
  writeNarrative(factsHash: string, json: string, at: Date): Promise<void> {
    return writeNarrative(this.s, factsHash, json, at);
  }
}

/**
 * What both stores inherit: the assessment and delivery methods, run by one shared SQL implementation over the
 * store's own session (`sqlSession()`), created on first use.
 */
export abstract class AssessingStore implements AssessStore {
  private assessSql?: AssessSql;
  protected abstract sqlSession(): SqlSession;
  private get assess(): AssessSql {
    return (this.assessSql ??= new AssessSql(this.sqlSession()));
  }
  readAssessmentSnapshot(scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessSnapshot> {
    return this.assess.readAssessmentSnapshot(scopes, opts);
  }
  readAssessmentInputs(scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessmentInputs> {
    return this.assess.readAssessmentInputs(scopes, opts);
  }
  readOpenIncidents(): Promise<Incident[]> {
    return this.assess.readOpenIncidents();
  }
  writeIncidents(incidents: readonly Incident[], events: readonly IncidentEvent[]): Promise<void> {
    return this.assess.writeIncidents(incidents, events);
  }
  readIncidents(query: IncidentQuery): Promise<Incident[]> {
    return this.assess.readIncidents(query);
  }
  readIncidentEvents(incidentId: string): Promise<IncidentEvent[]> {
    return this.assess.readIncidentEvents(incidentId);
  }
  addSilence(silence: StoredSilence): Promise<void> {
    return this.assess.addSilence(silence);
  }
  removeSilence(idOrMatch: string): Promise<number> {
    return this.assess.removeSilence(idOrMatch);
  }
  readSilences(now: Date): Promise<StoredSilence[]> {
    return this.assess.readSilences(now);
  }
  acknowledge(incidentId: string, author: string, at: Date, cycleId?: string): Promise<boolean> {
    return this.assess.acknowledge(incidentId, author, at, cycleId);
  }
  readLedger(team?: string): Promise<Ledger> {
    return this.assess.readLedger(team);
  }
  claimDelivery(claim: DeliveryClaim): Promise<boolean> {
    return this.assess.claimDelivery(claim);
  }
  confirmDelivery(confirmation: DeliveryConfirmation): Promise<void> {
    return this.assess.confirmDelivery(confirmation);
  }
  failDelivery(failure: DeliveryFailure): Promise<void> {
    return this.assess.failDelivery(failure);
  }
  readPendingDeliveries(): Promise<Delivery[]> {
    return this.assess.readPendingDeliveries();
  }
  readNarrative(factsHash: string): Promise<Narrative | null> {
    return this.assess.readNarrative(factsHash);
  }
  writeNarrative(factsHash: string, json: string, at: Date): Promise<void> {
    return this.assess.writeNarrative(factsHash, json, at);
  }
}
