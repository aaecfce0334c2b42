// Short names for the schema types the pages use.
import type { components } from './schema'

type S = components['schemas']

export type ApiErrorBody = S['ErrorBody']
export type Me = S['Me']
export type Region = S['Region']
export type RegionDetail = S['RegionDetail']
export type Role = S['RoleInfo']
export type User = S['User']
export type Unit = S['Unit']
export type ImportPreview = S['UnitImportPreview']
export type RowError = S['RowError']
export type AuditEntry = S['AuditEntry']
export type Dashboard = S['Dashboard']
export type RoleCode = S['Role']
export type UnitCategory = S['UnitCategory']
export type UnitSubcategory = S['UnitSubcategory']
