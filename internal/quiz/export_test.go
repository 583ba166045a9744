package quiz

// NoteFailedFold makes the board writer treat a fold of plays as failed after it may have
// committed (its commit answer lost), as a database node leaving mid-commit does.
func (s *Service) NoteFailedFold(plays []Play) {
	s.bw.mu.Lock()
	defer s.bw.mu.Unlock()
	s.noteRemirror(plays)
}
