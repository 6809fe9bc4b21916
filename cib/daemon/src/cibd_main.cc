int main() { return 1; }  // filled in below
