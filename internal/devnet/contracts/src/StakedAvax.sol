// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Model of Benqi's StakedAvax (sAVAX) for the stakewallet devnet.
//
// The public interface is the one of Benqi-fi/BENQI-Smart-Contracts
// sAVAX/StakedAvax.sol and StakedAvaxStorage.sol at e0cfd24 ("currently
// deployed versions"), with its OpenZeppelin 3.x bases (AccessControl,
// Pausable, ReentrancyGuard, Initializable): the same function signatures,
// events and revert strings, so that a client written against the real sAVAX
// works unchanged. The code is written anew for the devnet (Solidity 0.8;
// arithmetic overflow panics instead of SafeMath's strings).
//
// Behaviour kept exactly, because clients depend on it:
//   - balances are shares; submit mints getSharesByPooledAvax(value) shares
//     (value itself while the pool is empty);
//   - requestUnlock moves shares into the contract's custody and pushes
//     UnlockRequest{startedAt = block.timestamp, shareAmount};
//   - every redeem, cancel and overdue return SWAPS the request with the
//     last one of the user's array and pops it: indices shift;
//   - pending while now <= startedAt + cooldownPeriod, redeemable while
//     startedAt + cooldownPeriod < now <= startedAt + cooldownPeriod +
//     redeemPeriod, expired after;
//   - a redeem pays shares * rate / 1e18 AVAX, with the rate recorded by the
//     last accrueRewards at or before startedAt + cooldownPeriod.
//
// Devnet-only differences (invisible through the ABI):
//   - the constructor does what the proxy's initialize(cooldown, redeem)
//     does, mints a bootstrap deposit (msg.value) to 0x…dEaD so that the
//     share rate is defined, and records the first exchange rate;
//     initialize then reverts as on an initialized proxy;
//   - the exchange-rate history is a queue with a head index, so dropping
//     old entries costs O(1) instead of shifting the array; the public
//     getter historicalExchangeRateTimestamps(i) answers as the real one.

contract StakedAvax {
    // ---- StakedAvaxStorage ----
    struct UnlockRequest {
        uint256 startedAt;
        uint256 shareAmount;
    }

    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 public constant ROLE_WITHDRAW = keccak256("ROLE_WITHDRAW");
    bytes32 public constant ROLE_PAUSE = keccak256("ROLE_PAUSE");
    bytes32 public constant ROLE_RESUME = keccak256("ROLE_RESUME");
    bytes32 public constant ROLE_ACCRUE_REWARDS = keccak256("ROLE_ACCRUE_REWARDS");
    bytes32 public constant ROLE_DEPOSIT = keccak256("ROLE_DEPOSIT");
    bytes32 public constant ROLE_PAUSE_MINTING = keccak256("ROLE_PAUSE_MINTING");
    bytes32 public constant ROLE_RESUME_MINTING = keccak256("ROLE_RESUME_MINTING");
    bytes32 public constant ROLE_SET_TOTAL_POOLED_AVAX_CAP = keccak256("ROLE_SET_TOTAL_POOLED_AVAX_CAP");

    uint256 public totalPooledAvax;
    uint256 public totalShares;
    mapping(address => uint256) internal shares;
    mapping(address => mapping(address => uint256)) internal allowances;
    uint256 public cooldownPeriod;
    uint256 public redeemPeriod;
    mapping(address => UnlockRequest[]) public userUnlockRequests;
    mapping(address => uint256) public userSharesInCustody;
    mapping(uint256 => uint256) public historicalExchangeRatesByTimestamp;
    uint256[] internal rateTimestamps; // entries before rateHead are dropped
    uint256 internal rateHead;
    bool public mintingPaused;
    uint256 public totalPooledAvaxCap;
    uint256 public stakerCount;

    // ---- OpenZeppelin bases ----
    bool private _paused;
    uint256 private _reentrancy; // 1 = not entered, 2 = entered
    struct RoleData {
        address[] members;
        mapping(address => uint256) index; // 1-based position in members
        bytes32 adminRole;
    }
    mapping(bytes32 => RoleData) private _roles;

    // ---- IERC20 ----
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    // ---- AccessControl, Pausable ----
    event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole);
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
    event Paused(address account);
    event Unpaused(address account);

    // ---- StakedAvax ----
    event Submitted(address indexed user, uint256 avaxAmount, uint256 shareAmount);
    event UnlockRequested(address indexed user, uint256 shareAmount);
    event UnlockCancelled(address indexed user, uint256 unlockRequestedAt, uint256 shareAmount);
    event Redeem(address indexed user, uint256 unlockRequestedAt, uint256 shareAmount, uint256 avaxAmount);
    event RedeemOverdueShares(address indexed user, uint256 shareAmount);
    event Withdraw(address indexed user, uint256 amount);
    event Deposit(address indexed user, uint256 amount);
    event CooldownPeriodUpdated(uint256 oldCooldownPeriod, uint256 newCooldownPeriod);
    event RedeemPeriodUpdated(uint256 oldRedeemPeriod, uint256 newRedeemPeriod);
    event TotalPooledAvaxCapUpdated(uint256 oldTotalPooldAvaxCap, uint256 newTotalPooledAvaxCap);
    event AccrueRewards(uint256 value);
    event MintingPaused(address user);
    event MintingResumed(address user);

    address private constant BOOTSTRAP_HOLDER = 0x000000000000000000000000000000000000dEaD;

    modifier nonReentrant() {
        require(_reentrancy != 2, "ReentrancyGuard: reentrant call");
        _reentrancy = 2;
        _;
        _reentrancy = 1;
    }

    modifier whenNotPaused() {
        require(!_paused, "Pausable: paused");
        _;
    }

    modifier whenPaused() {
        require(_paused, "Pausable: not paused");
        _;
    }

    constructor(uint256 _cooldownPeriod, uint256 _redeemPeriod) payable {
        _reentrancy = 1;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);

        cooldownPeriod = _cooldownPeriod;
        emit CooldownPeriodUpdated(0, _cooldownPeriod);
        redeemPeriod = _redeemPeriod;
        emit RedeemPeriodUpdated(0, _redeemPeriod);
        totalPooledAvaxCap = type(uint256).max;
        emit TotalPooledAvaxCapUpdated(0, totalPooledAvaxCap);

        if (msg.value > 0) {
            _mintShares(BOOTSTRAP_HOLDER, msg.value);
            totalPooledAvax = msg.value;
            emit Transfer(address(0), BOOTSTRAP_HOLDER, msg.value);
            emit Submitted(BOOTSTRAP_HOLDER, msg.value, msg.value);
        }
        _recordExchangeRate();
    }

    /// The proxy's initializer: the model is initialized by its constructor.
    function initialize(uint256, uint256) external pure {
        revert("Initializable: contract is already initialized");
    }

    // ---- ERC-20 ----

    function name() public pure returns (string memory) {
        return "Staked AVAX";
    }

    function symbol() public pure returns (string memory) {
        return "sAVAX";
    }

    function decimals() public pure returns (uint8) {
        return 18;
    }

    function totalSupply() public view returns (uint256) {
        return totalShares;
    }

    function balanceOf(address account) public view returns (uint256) {
        return shares[account];
    }

    function transfer(address recipient, uint256 amount) public returns (bool) {
        _transfer(msg.sender, recipient, amount);
        return true;
    }

    function allowance(address owner, address spender) public view returns (uint256) {
        return allowances[owner][spender];
    }

    function approve(address spender, uint256 amount) public returns (bool) {
        _approve(msg.sender, spender, amount);
        return true;
    }

    function transferFrom(address sender, address recipient, uint256 amount) public returns (bool) {
        uint256 currentAllowance = allowances[sender][msg.sender];
        require(currentAllowance >= amount, "TRANSFER_AMOUNT_EXCEEDS_ALLOWANCE");
        _transfer(sender, recipient, amount);
        _approve(sender, msg.sender, currentAllowance - amount);
        return true;
    }

    // ---- exchange rate ----

    function getSharesByPooledAvax(uint256 avaxAmount) public view returns (uint256) {
        if (totalPooledAvax == 0) {
            return 0;
        }
        uint256 s = (avaxAmount * totalShares) / totalPooledAvax;
        require(s > 0, "Invalid share count");
        return s;
    }

    function getPooledAvaxByShares(uint256 shareAmount) public view returns (uint256) {
        if (totalShares == 0) {
            return 0;
        }
        return (shareAmount * totalPooledAvax) / totalShares;
    }

    function historicalExchangeRateTimestamps(uint256 i) external view returns (uint256) {
        require(i < rateTimestamps.length - rateHead);
        return rateTimestamps[rateHead + i];
    }

    // ---- unlock requests ----

    function requestUnlock(uint256 shareAmount) external nonReentrant whenNotPaused {
        require(shareAmount > 0, "Invalid unlock amount");
        require(shareAmount <= shares[msg.sender], "Unlock amount too large");

        userSharesInCustody[msg.sender] += shareAmount;
        _transfer(msg.sender, address(this), shareAmount);
        userUnlockRequests[msg.sender].push(UnlockRequest(block.timestamp, shareAmount));

        emit UnlockRequested(msg.sender, shareAmount);
    }

    function getUnlockRequestCount(address user) external view returns (uint256) {
        return userUnlockRequests[user].length;
    }

    function getPaginatedUnlockRequests(address user, uint256 from, uint256 to)
        external
        view
        returns (UnlockRequest[] memory, uint256[] memory)
    {
        UnlockRequest[] storage all = userUnlockRequests[user];
        require(from < all.length, "From index out of bounds");
        require(from < to, "To index must be greater than from index");
        if (to > all.length) {
            to = all.length;
        }
        UnlockRequest[] memory page = new UnlockRequest[](to - from);
        uint256[] memory rates = new uint256[](to - from);
        for (uint256 i = 0; i < to - from; i++) {
            page[i] = all[from + i];
            if (_isWithinRedemptionPeriod(page[i])) {
                (bool ok, uint256 rate) = _getExchangeRateByUnlockTimestamp(page[i].startedAt);
                require(ok, "Exchange rate not found");
                rates[i] = rate;
            }
        }
        return (page, rates);
    }

    function cancelPendingUnlockRequests() external nonReentrant {
        uint256 i;
        while (i < userUnlockRequests[msg.sender].length) {
            if (!_isWithinCooldownPeriod(userUnlockRequests[msg.sender][i])) {
                i++;
                continue;
            }
            _cancelUnlockRequest(i);
        }
    }

    function cancelRedeemableUnlockRequests() external nonReentrant {
        uint256 i;
        while (i < userUnlockRequests[msg.sender].length) {
            if (!_isWithinRedemptionPeriod(userUnlockRequests[msg.sender][i])) {
                i++;
                continue;
            }
            _cancelUnlockRequest(i);
        }
    }

    function cancelUnlockRequest(uint256 unlockIndex) external nonReentrant {
        _cancelUnlockRequest(unlockIndex);
    }

    function redeem() external nonReentrant {
        uint256 count = userUnlockRequests[msg.sender].length;
        uint256 i = 0;
        while (i < count) {
            if (!_isWithinRedemptionPeriod(userUnlockRequests[msg.sender][i])) {
                i++;
                continue;
            }
            _redeem(i);
            count--;
        }
    }

    function redeem(uint256 unlockIndex) external nonReentrant {
        _redeem(unlockIndex);
    }

    function redeemOverdueShares() external nonReentrant whenNotPaused {
        UnlockRequest[] storage list = userUnlockRequests[msg.sender];
        uint256 total = 0;
        uint256 count = list.length;
        uint256 i = 0;
        while (i < count) {
            UnlockRequest memory r = list[i];
            if (!_isExpired(r)) {
                i++;
                continue;
            }
            total += r.shareAmount;
            list[i] = list[list.length - 1];
            list.pop();
            count--;
        }
        if (total > 0) {
            userSharesInCustody[msg.sender] -= total;
            _transfer(address(this), msg.sender, total);
            emit RedeemOverdueShares(msg.sender, total);
        }
    }

    function redeemOverdueShares(uint256 unlockIndex) external nonReentrant whenNotPaused {
        UnlockRequest[] storage list = userUnlockRequests[msg.sender];
        require(unlockIndex < list.length, "Invalid unlock index");
        UnlockRequest memory r = list[unlockIndex];
        require(_isExpired(r), "Unlock request is not expired");

        userSharesInCustody[msg.sender] -= r.shareAmount;
        list[unlockIndex] = list[list.length - 1];
        list.pop();
        _transfer(address(this), msg.sender, r.shareAmount);

        emit RedeemOverdueShares(msg.sender, r.shareAmount);
    }

    // ---- staking ----

    function submit() public payable whenNotPaused returns (uint256) {
        uint256 amount = msg.value;
        require(amount != 0, "ZERO_DEPOSIT");

        uint256 shareAmount = getSharesByPooledAvax(amount);
        if (shareAmount == 0) {
            shareAmount = amount;
        }
        _mintShares(msg.sender, shareAmount);
        totalPooledAvax += amount;

        emit Transfer(address(0), msg.sender, shareAmount);
        emit Submitted(msg.sender, amount, shareAmount);
        return shareAmount;
    }

    receive() external payable {
        submit();
    }

    // ---- internal ----

    function _transfer(address sender, address recipient, uint256 amount) internal {
        _transferShares(sender, recipient, amount);
        emit Transfer(sender, recipient, amount);
    }

    function _approve(address owner, address spender, uint256 amount) internal whenNotPaused {
        require(owner != address(0), "APPROVE_FROM_ZERO_ADDRESS");
        require(spender != address(0), "APPROVE_TO_ZERO_ADDRESS");
        allowances[owner][spender] = amount;
        emit Approval(owner, spender, amount);
    }

    function _transferShares(address sender, address recipient, uint256 shareAmount) internal whenNotPaused {
        require(sender != address(0), "TRANSFER_FROM_THE_ZERO_ADDRESS");
        require(recipient != address(0), "TRANSFER_TO_THE_ZERO_ADDRESS");
        require(sender != recipient, "TRANSFER_TO_SELF");
        uint256 current = shares[sender];
        require(shareAmount <= current, "TRANSFER_AMOUNT_EXCEEDS_BALANCE");
        require(shareAmount > 0, "TRANSFER_ZERO_VALUE");

        if (shares[recipient] == 0) {
            stakerCount++;
        }
        shares[sender] = current - shareAmount;
        shares[recipient] += shareAmount;
        if (shares[sender] == 0) {
            stakerCount--;
        }
    }

    function _mintShares(address recipient, uint256 shareAmount) internal whenNotPaused returns (uint256) {
        require(!mintingPaused, "Minting paused");
        require(recipient != address(0), "MINT_TO_THE_ZERO_ADDRESS");
        require(shareAmount > 0, "MINT_ZERO_VALUE");

        uint256 avaxAmount = getPooledAvaxByShares(shareAmount);
        require(totalPooledAvax + avaxAmount <= totalPooledAvaxCap, "TOTAL_POOLED_AVAX_CAP_EXCEEDED");

        if (shares[recipient] == 0) {
            stakerCount++;
        }
        totalShares += shareAmount;
        shares[recipient] += shareAmount;
        return totalShares;
    }

    function _burnShares(address account, uint256 shareAmount) internal whenNotPaused returns (uint256) {
        require(account != address(0), "BURN_FROM_THE_ZERO_ADDRESS");
        require(shareAmount > 0, "BURN_ZERO_VALUE");
        uint256 accountShares = shares[account];
        require(shareAmount <= accountShares, "BURN_AMOUNT_EXCEEDS_BALANCE");

        totalShares -= shareAmount;
        shares[account] = accountShares - shareAmount;
        if (shares[account] == 0) {
            stakerCount--;
        }
        return totalShares;
    }

    function _isWithinCooldownPeriod(UnlockRequest memory r) internal view returns (bool) {
        return r.startedAt + cooldownPeriod >= block.timestamp;
    }

    function _isWithinRedemptionPeriod(UnlockRequest memory r) internal view returns (bool) {
        return !_isWithinCooldownPeriod(r) && r.startedAt + cooldownPeriod + redeemPeriod >= block.timestamp;
    }

    function _isExpired(UnlockRequest memory r) internal view returns (bool) {
        return r.startedAt + cooldownPeriod + redeemPeriod < block.timestamp;
    }

    function _cancelUnlockRequest(uint256 unlockIndex) internal whenNotPaused {
        UnlockRequest[] storage list = userUnlockRequests[msg.sender];
        require(unlockIndex < list.length, "Invalid index");
        UnlockRequest memory r = list[unlockIndex];
        require(!_isExpired(r), "Unlock request is expired");

        if (unlockIndex != list.length - 1) {
            list[unlockIndex] = list[list.length - 1];
        }
        list.pop();

        userSharesInCustody[msg.sender] -= r.shareAmount;
        _transfer(address(this), msg.sender, r.shareAmount);

        emit UnlockCancelled(msg.sender, r.startedAt, r.shareAmount);
    }

    function _redeem(uint256 unlockRequestIndex) internal whenNotPaused {
        UnlockRequest[] storage list = userUnlockRequests[msg.sender];
        require(unlockRequestIndex < list.length, "Invalid unlock request index");
        UnlockRequest memory r = list[unlockRequestIndex];
        require(_isWithinRedemptionPeriod(r), "Unlock request is not redeemable");

        (bool ok, uint256 rate) = _getExchangeRateByUnlockTimestamp(r.startedAt);
        require(ok, "Exchange rate not found");
        uint256 avaxAmount = (rate * r.shareAmount) / 1e18;
        require(avaxAmount >= r.shareAmount, "Invalid exchange rate");

        userSharesInCustody[msg.sender] -= r.shareAmount;
        _burnShares(address(this), r.shareAmount);
        totalPooledAvax -= avaxAmount;

        list[unlockRequestIndex] = list[list.length - 1];
        list.pop();

        (bool sent,) = msg.sender.call{value: avaxAmount}("");
        require(sent, "AVAX transfer failed");

        emit Redeem(msg.sender, r.startedAt, r.shareAmount, avaxAmount);
    }

    /// The rate of the last entry at or before startedAt + cooldownPeriod;
    /// 1e18 when every entry is later; not found when there is none.
    function _getExchangeRateByUnlockTimestamp(uint256 unlockTimestamp) internal view returns (bool, uint256) {
        uint256 n = rateTimestamps.length - rateHead;
        if (n == 0) {
            return (false, 0);
        }
        uint256 target = unlockTimestamp + cooldownPeriod;
        if (rateTimestamps[rateHead] > target) {
            return (true, 1e18);
        }
        uint256 low = 0;
        uint256 high = n - 1;
        while (low < high) {
            uint256 mid = (low + high + 1) / 2;
            if (rateTimestamps[rateHead + mid] <= target) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return (true, historicalExchangeRatesByTimestamp[rateTimestamps[rateHead + low]]);
    }

    function _recordExchangeRate() internal {
        _dropExpiredExchangeRateEntries();
        historicalExchangeRatesByTimestamp[block.timestamp] = getPooledAvaxByShares(1e18);
        rateTimestamps.push(block.timestamp);
    }

    function _dropExpiredExchangeRateEntries() internal {
        if (rateTimestamps.length == rateHead) {
            return;
        }
        uint256 threshold = block.timestamp - redeemPeriod - 172800;
        while (rateHead < rateTimestamps.length && rateTimestamps[rateHead] < threshold) {
            delete rateTimestamps[rateHead];
            rateHead++;
        }
    }

    // ---- admin ----

    function accrueRewards(uint256 amount) external nonReentrant {
        require(hasRole(ROLE_ACCRUE_REWARDS, msg.sender), "ROLE_ACCRUE_REWARDS");
        totalPooledAvax += amount;
        _recordExchangeRate();
        emit AccrueRewards(amount);
    }

    function withdraw(uint256 amount) external nonReentrant {
        require(hasRole(ROLE_WITHDRAW, msg.sender), "ROLE_WITHDRAW");
        (bool sent,) = msg.sender.call{value: amount}("");
        require(sent, "AVAX transfer failed");
        emit Withdraw(msg.sender, amount);
    }

    function deposit() external payable {
        require(hasRole(ROLE_DEPOSIT, msg.sender), "ROLE_DEPOSIT");
        require(msg.value > 0, "Zero value");
        emit Deposit(msg.sender, msg.value);
    }

    function setCooldownPeriod(uint256 newCooldownPeriod) external {
        require(hasRole(DEFAULT_ADMIN_ROLE, msg.sender), "DEFAULT_ADMIN_ROLE");
        uint256 old = cooldownPeriod;
        cooldownPeriod = newCooldownPeriod;
        emit CooldownPeriodUpdated(old, newCooldownPeriod);
    }

    function setRedeemPeriod(uint256 newRedeemPeriod) external {
        require(hasRole(DEFAULT_ADMIN_ROLE, msg.sender), "DEFAULT_ADMIN_ROLE");
        uint256 old = redeemPeriod;
        redeemPeriod = newRedeemPeriod;
        emit RedeemPeriodUpdated(old, newRedeemPeriod);
    }

    function setTotalPooledAvaxCap(uint256 newTotalPooledAvaxCap) external {
        require(hasRole(ROLE_SET_TOTAL_POOLED_AVAX_CAP, msg.sender), "ROLE_SET_TOTAL_POOLED_AVAX_CAP");
        uint256 old = totalPooledAvaxCap;
        totalPooledAvaxCap = newTotalPooledAvaxCap;
        emit TotalPooledAvaxCapUpdated(old, newTotalPooledAvaxCap);
    }

    function pause() external {
        require(hasRole(ROLE_PAUSE, msg.sender), "ROLE_PAUSE");
        require(!_paused, "Pausable: paused");
        _paused = true;
        emit Paused(msg.sender);
    }

    function resume() external {
        require(hasRole(ROLE_RESUME, msg.sender), "ROLE_RESUME");
        require(_paused, "Pausable: not paused");
        _paused = false;
        emit Unpaused(msg.sender);
    }

    function paused() public view returns (bool) {
        return _paused;
    }

    function pauseMinting() external {
        require(hasRole(ROLE_PAUSE_MINTING, msg.sender), "ROLE_PAUSE_MINTING");
        require(!mintingPaused, "Minting is already paused");
        mintingPaused = true;
        emit MintingPaused(msg.sender);
    }

    function resumeMinting() external {
        require(hasRole(ROLE_RESUME_MINTING, msg.sender), "ROLE_RESUME_MINTING");
        require(mintingPaused, "Minting is not paused");
        mintingPaused = false;
        emit MintingResumed(msg.sender);
    }

    // ---- AccessControl (OpenZeppelin 3.x, enumerable) ----

    function hasRole(bytes32 role, address account) public view returns (bool) {
        return _roles[role].index[account] != 0;
    }

    function getRoleMemberCount(bytes32 role) public view returns (uint256) {
        return _roles[role].members.length;
    }

    function getRoleMember(bytes32 role, uint256 index) public view returns (address) {
        require(_roles[role].members.length > index, "EnumerableSet: index out of bounds");
        return _roles[role].members[index];
    }

    function getRoleAdmin(bytes32 role) public view returns (bytes32) {
        return _roles[role].adminRole;
    }

    function grantRole(bytes32 role, address account) public {
        require(hasRole(_roles[role].adminRole, msg.sender), "AccessControl: sender must be an admin to grant");
        _grantRole(role, account);
    }

    function revokeRole(bytes32 role, address account) public {
        require(hasRole(_roles[role].adminRole, msg.sender), "AccessControl: sender must be an admin to revoke");
        _revokeRole(role, account);
    }

    function renounceRole(bytes32 role, address account) public {
        require(account == msg.sender, "AccessControl: can only renounce roles for self");
        _revokeRole(role, account);
    }

    function _grantRole(bytes32 role, address account) private {
        RoleData storage r = _roles[role];
        if (r.index[account] == 0) {
            r.members.push(account);
            r.index[account] = r.members.length;
            emit RoleGranted(role, account, msg.sender);
        }
    }

    function _revokeRole(bytes32 role, address account) private {
        RoleData storage r = _roles[role];
        uint256 pos = r.index[account];
        if (pos != 0) {
            address last = r.members[r.members.length - 1];
            r.members[pos - 1] = last;
            r.index[last] = pos;
            r.members.pop();
            r.index[account] = 0;
            emit RoleRevoked(role, account, msg.sender);
        }
    }
}
