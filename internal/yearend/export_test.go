package yearend

// SetCloseBatch sets how many learners one transaction of a close writes, so a test crosses
// batches with a few hundred learners instead of thousands.
func (s *Service) SetCloseBatch(n int) { s.closeBatch = n }
