/**
 * Vietnamese chat input parsing and formatting (pure, no I/O).
 * Entry points: parseAnswer, describeExpected, explainError, formatAnswer and the format helpers.
 */
export { normalize, stripDiacritics, comparable, words, stripCourtesy, stripCourtesyText } from "./normalize.js";
export { parseNumber, readDigits, type NumberOptions } from "./numbers.js";
export { parseYesNo } from "./yesno.js";
export { parseDate, vietnamToday, isValidDate, isLeapYear, daysInMonth, addDays, type DateParse, type YMD } from "./dates.js";
export { parsePartOfTotal, type PartOfTotalParse } from "./partOfTotal.js";
export { matchChoice, matchChoices, isAllChoices, type ChoiceMatch, type MultiChoiceMatch } from "./choices.js";
export {
  parseAnswer,
  isSkipInput,
  PARSE_ERROR_CODES,
  type ParseError,
  type ParseErrorCode,
  type ParseResult,
  type ParseOptions,
} from "./answers.js";
export {
  describeExpected,
  explainError,
  errorKey,
  skipHint,
  EXPECTED_KEYS,
  OTHER_KEYS,
  type LocaleMessage,
  type Translate,
} from "./messages.js";
export { formatNumber, formatPercent, formatDate, formalDateLine, formatAnswer, YES_WORD, NO_WORD, NO_ANSWER } from "./format.js";
