package advice

// SameThing is sameThing, for the test that every fix says each thing once.
var SameThing = sameThing
