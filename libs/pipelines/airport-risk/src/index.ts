export { airportRiskPipeline, airportRiskEnrichment, airportRiskJobsPipeline, airportRiskJobEnrichment, AIRPORT_RISK_SERVICE, type AirportRisk } from './airport-risk.pipeline';
