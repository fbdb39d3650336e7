// The shape of a spec problem as the API returns it (POST /api/v1/specs/validate).
export interface SpecProblem {
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
  message: string;
  severity?: 'error' | 'warning';
}
