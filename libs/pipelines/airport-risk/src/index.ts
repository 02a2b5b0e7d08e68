export { airportRiskPipeline, airportRiskEnrichment, AIRPORT_RISK_SERVICE, type AirportRisk } from './airport-risk.pipeline';
